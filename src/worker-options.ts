/**
 * Options every worker of leadscore starts with. A worker inherits the process's Node flags, and Node
 * refuses to start a worker file under `--input-type` (a flag of `node -e` scripts, valid only for the
 * evaluated string): without it removed, scoring from such a script failed in its workers.
 *
 * @example
 * new Worker(url, { ...workerOptions(), workerData });
 */
export function workerOptions(): { execArgv: string[] } {
  const execArgv: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--input-type') i++; // `--input-type module`: the value goes too
    else if (!argv[i]!.startsWith('--input-type=')) execArgv.push(argv[i]!);
  }
  return { execArgv };
}
