// The column worker of the typed CSV reader (column-shard.ts): a plain JavaScript entry that runs a
// `ColumnShard` over the columns it was given, loaded from the sources or the build alike
// (sibling-module.js), so a column is read by the same code here as on the reader's thread. The reader asks
// in order (a sample batch to keep, start, a batch to read, finish a column, the sampled texts) and each answer goes
// back in that order; the bytes and field offsets of a batch are shared memory, read here and not copied. A finished column's
// numbers are transferred, not copied (`portable`).
import { parentPort } from 'node:worker_threads';
import { importSibling } from '../../sibling-module.js';

const { ColumnShard } = await importSibling(import.meta.url, 'column-shard');
const { batchOf } = await importSibling(import.meta.url, 'column-crossing');
const { Misfit } = await importSibling(import.meta.url, 'column-builder');

let shard = null;

parentPort.on('message', (message) => {
  try {
    let value;
    let transfer = [];
    if (message.op === 'init') {
      shard = new ColumnShard(message.spec);
    } else if (message.op === 'sample') {
      const { bytes, batch } = batchOf(message.batch);
      shard.keepSample(bytes, batch);
    } else if (message.op === 'add') {
      const { bytes, batch } = batchOf(message.batch);
      shard.add(bytes, batch);
    } else if (message.op === 'start') {
      shard.start(message.rows, message.expected);
    } else if (message.op === 'texts') {
      value = shard.sampleTexts();
    } else if (message.op === 'finish') {
      ({ column: value, transfer } = shard.finishPortable(message.column, message.rows, message.countDistinct));
    } else {
      throw new Error(`unknown request ${message.op}`);
    }
    parentPort.postMessage({ ok: true, value }, transfer);
  } catch (err) {
    if (err instanceof Misfit) parentPort.postMessage({ misfit: err.message, column: err.column ?? 0 });
    else parentPort.postMessage({ error: { message: String(err?.message ?? err), stack: err?.stack } });
  }
});
