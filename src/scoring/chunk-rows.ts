// A constant of its own, so that the CLI can show it in `--help` without loading the scorer.
/**
 * Rows per chunk. Small chunks keep each chunk's arrays in V8's young generation: fewer page faults,
 * more leads a second and a lower peak RSS than large chunks (BENCHMARKS.md, "Design measurements").
 */
export const DEFAULT_CHUNK_ROWS = 2_000;
