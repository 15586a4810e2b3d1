// A scoring worker for the streaming scorer (parallel-stream.ts): a plain JavaScript entry that runs the
// scorer's own code — `prepareScorer` (score.ts) once, then `scoreCsvChunk` (chunk-scoring.ts) per chunk,
// loaded from the sources or the build alike (sibling-module.js) — so a chunk scores the same here as on
// the main thread. Jobs arrive in order as messages; each answer carries its job's id and the chunk's
// output as UTF-8 bytes (transferred, not copied).
import { parentPort, workerData } from 'node:worker_threads';
import { importSibling } from '../sibling-module.js';

const { prepareScorer } = await importSibling(import.meta.url, 'score');
const { scoreCsvChunk } = await importSibling(import.meta.url, 'chunk-scoring');

let scorer = null;
let failure = null;
try {
  scorer = await prepareScorer(workerData.options);
} catch (err) {
  failure = err;
}
// Ready for chunks: until now the streaming scorer gave them to its own thread instead.
parentPort.postMessage({ ready: true });

parentPort.on('message', async ({ id, ...job }) => {
  try {
    if (failure) throw failure;
    const result = await scoreCsvChunk(scorer, job, workerData.format);
    // The byte path's bytes are lent (a view of its buffer): copied to be handed over, and given back.
    const encoded = result.encoded ? result.encoded.slice() : new TextEncoder().encode(result.text);
    result.release?.();
    parentPort.postMessage({ id, result: { ...result, release: undefined, text: '', encoded } }, [encoded.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: { name: err?.name, code: err?.code, message: String(err?.message ?? err), hint: err?.hint, issues: err?.issues, stack: err?.stack } });
  }
});
