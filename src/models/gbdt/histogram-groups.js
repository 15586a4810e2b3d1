// A node's histogram work, done by the main thread alone or shared with the histogram worker (plain
// JavaScript: the worker imports it without the TypeScript loader). The features come in groups of four
// (one pass of the rows each; the last group one feature at a time); each thread claims the next
// unclaimed group until none is left, so a thread that runs late (the other core busy with the garbage
// collector, say) just does fewer groups instead of holding the other one up.
//
// Control words (Int32, in the kernel's shared memory): [0] job id (−1: exit); [1] address of the node's
// rows; [2] their count; [3] how many features; [4] job id << 16 | next group to claim; [5] groups done;
// from [8] the features.

/** Claims and builds groups of job `job` until none is left (or the job has changed). */
export function claimGroups(kernel, control, at, n, stride, job) {
  for (;;) {
    const word = Atomics.load(control, 4);
    if (word >>> 16 !== job) return;
    const group = word & 0xffff;
    const count = control[3];
    if (group * 4 >= count) return;
    if (Atomics.compareExchange(control, 4, word, word + 1) !== word) continue;
    // Group claimed: the main thread leaves the job's words alone until every group is done.
    const rowsAt = control[1];
    const m = control[2];
    const from = 8 + 4 * group;
    const to = Math.min(8 + count, from + 4);
    const bin = (f) => at.bins + f * n;
    const hist = (f) => at.hist + f * stride * 8;
    if (to - from === 4) {
      const f0 = control[from], f1 = control[from + 1], f2 = control[from + 2], f3 = control[from + 3];
      kernel.accumulate4(rowsAt, m, at.gh, bin(f0), bin(f1), bin(f2), bin(f3), hist(f0), hist(f1), hist(f2), hist(f3));
    } else {
      for (let k = from; k < to; k++) kernel.accumulate1(rowsAt, m, at.gh, bin(control[k]), hist(control[k]));
    }
    Atomics.add(control, 5, 1);
    Atomics.notify(control, 5);
  }
}
