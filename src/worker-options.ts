/** Node's heap-size flags (either spelling): the process's, refused in a worker. */
const PROCESS_HEAP_FLAG = /^--max[-_](old|semi|young)[-_]space[-_]size(=|$)/;

/**
 * Options every worker of leadscore starts with. A worker inherits the process's Node flags, and Node
 * refuses to start a worker file under `--input-type` (a flag of `node -e` scripts, valid only for the
 * evaluated string): without it removed, scoring from such a script failed in its workers. Nor does it start
 * one under the heap-size flags (`--max-old-space-size`, as a user raises the heap for ten million leads):
 * they are the process's, and a worker keeps its own default limits.
 *
 * @example
 * new Worker(url, { ...workerOptions(), workerData });
 */
export function workerOptions(): { execArgv: string[] } {
  const execArgv: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--input-type') i++; // `--input-type module`: the value goes too
    else if (!flag.startsWith('--input-type=') && !PROCESS_HEAP_FLAG.test(flag)) execArgv.push(flag);
  }
  return { execArgv };
}
