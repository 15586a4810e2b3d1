import type { Kernel } from './wasm-kernel.ts';

/** Claims and builds groups of four features of job `job` until none is left (or the job has changed). */
export function claimGroups(kernel: Kernel, control: Int32Array, at: { bins: number; hist: number; gh: number }, n: number, stride: number, job: number): void;
