import { describe, expect, it } from 'vitest';
import { createRng, hashString } from '../src/random.ts';

describe('createRng', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 100 }, () => a.next());
    const seqB = Array.from({ length: 100 }, () => b.next());
    const seqC = Array.from({ length: 100 }, () => c.next());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('draws uniforms in [0, 1) with the right mean and variance', () => {
    const rng = createRng(1);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      sq += u * u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normals', () => {
    const rng = createRng(2);
    const xs = Array.from({ length: 50_000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('makes permutations of 0..n-1', () => {
    const p = createRng(3).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('forks independent named streams, reproducibly', () => {
    const root = createRng(42);
    const split = root.fork('split').next();
    expect(createRng(42).fork('split').next()).toBe(split);
    expect(createRng(42).fork('bootstrap').next()).not.toBe(split);
    // forking does not depend on how much the parent has drawn
    const drawn = createRng(42);
    drawn.next();
    expect(drawn.fork('split').next()).toBe(split);
  });

  it('refuses a non-integer seed', () => {
    expect(() => createRng(1.5)).toThrow(RangeError);
  });

  it('hashes strings stably (FNV-1a)', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
  });
});
