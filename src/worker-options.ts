/** Node's heap-size flags (either spelling): the process's, refused in a worker. */
const PROCESS_HEAP_FLAG = /^--max[-_](old|semi|young)[-_]space[-_]size(=|$)/;

/**
 * Options every worker of leadscore starts with. A worker given no `execArgv` takes the process's Node and
 * V8 flags as they are, unchecked; given a list, Node checks it and refuses V8's flags and the process's
 * (`--trace-gc`, `--stack-size`, `--perf-basic-prof`, the heap sizes: `ERR_WORKER_INVALID_EXEC_ARGV`, so any
 * command that started a worker under them failed). So no list is given, except where the process runs
 * under `--input-type` (a flag of `node -e` scripts, valid only for the evaluated string), under which Node
 * refuses to start a worker file: the process's flags then go on without it and without the heap-size
 * flags (`--max-old-space-size`, as a user raises the heap for ten million leads), which are the
 * process's; a worker keeps its own default limits.
 *
 * @example
 * new Worker(url, { ...workerOptions(), workerData });
 */
export function workerOptions(): { execArgv?: string[] } {
  const argv = process.execArgv;
  if (!argv.some((flag) => flag === '--input-type' || flag.startsWith('--input-type='))) return {};
  const execArgv: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--input-type') i++; // `--input-type module`: the value goes too
    else if (!flag.startsWith('--input-type=') && !PROCESS_HEAP_FLAG.test(flag)) execArgv.push(flag);
  }
  return { execArgv };
}
