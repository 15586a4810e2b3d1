// Constants of their own, so that the CLI can show them in `--help` without loading the scorer.
/**
 * Rows per chunk. Small chunks keep each chunk's arrays in V8's young generation: fewer page faults,
 * more leads a second and a lower peak RSS than large chunks (BENCHMARKS.md, "Design measurements").
 */
export const DEFAULT_CHUNK_ROWS = 2_000;

/**
 * Rows per chunk for a tree model's reasons: TreeSHAP reads each tree's tables once per block of a chunk's
 * rows, so larger chunks share them among more rows (1,000,000 distinct leads, 300 trees, 3 reasons, one
 * thread: 27.9 s with 2,000-row chunks, 23.7 s with 8,192; BENCHMARKS.md, session 11).
 */
export const TREE_REASONS_CHUNK_ROWS = 8_192;

/** The default rows per chunk for a model kind and the reasons asked for. */
export function defaultChunkRows(kind: string, reasons: number): number {
  return kind === 'gbdt' && reasons > 0 ? TREE_REASONS_CHUNK_ROWS : DEFAULT_CHUNK_ROWS;
}
