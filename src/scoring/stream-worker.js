// A scoring worker for the streaming scorer (parallel-stream.ts): a plain JavaScript entry that registers
// the TypeScript loader and runs the scorer's own code (prepareScorer, scoreChunk), so a chunk scores the
// same here as on the main thread. Jobs arrive in order as messages; each answer carries its job's id.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { prepareScorer } = await import('./score.ts');
const { collectRecords, scoreChunk } = await import('./stream.ts');

let scorer = null;
let failure = null;
try {
  scorer = await prepareScorer(workerData.options);
} catch (err) {
  failure = err;
}

parentPort.on('message', ({ id, bytes, firstLine, firstRow, header, delimiter, schema, source }) => {
  try {
    if (failure) throw failure;
    const { raw, dataRows } = collectRecords(new TextDecoder().decode(bytes), header, delimiter, firstLine, firstRow, source);
    const result = scoreChunk(scorer, schema, raw, dataRows, workerData.format);
    const encoded = new TextEncoder().encode(result.text);
    parentPort.postMessage({ id, result: { ...result, text: '', encoded } }, [encoded.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: { name: err?.name, code: err?.code, message: String(err?.message ?? err), hint: err?.hint, issues: err?.issues, stack: err?.stack } });
  }
});
