// Preloaded into a process the bench starts (`node --import ./bench/peak-rss.mjs …`): at exit it adds a line
// with the process's peak resident memory (the kernel's high-water mark, in MiB) to the file
// LEADSCORE_PEAK_RSS_FILE. A command that bin/leadscore.js relaunches (huge pages) runs in two processes
// that live together, each adding its line; `peakMiB` in run.ts sums them.
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.LEADSCORE_PEAK_RSS_FILE;
if (file && isMainThread) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS / 1024}\n`));
