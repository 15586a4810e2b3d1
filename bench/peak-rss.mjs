// Preloaded into a process the bench starts (`node --import ./bench/peak-rss.mjs …`): at exit it writes the
// process's peak resident memory (the kernel's high-water mark, in MiB) to the file LEADSCORE_PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.LEADSCORE_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS / 1024)));
