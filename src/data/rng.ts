// A small seeded random number generator for data generation and shuffling.
//
// Data order must be reproducible from (seed, epoch, ...) alone so that a resumed run sees
// exactly the batches it would have seen without the interruption; a stream per purpose,
// derived by hashing its labels, gives that without storing any generator state.

/** mulberry32: 32-bit state, period 2^32, good enough for shuffles and synthetic tasks. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<A extends { length: number; [i: number]: number }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** Mixes integers into one 32-bit seed (splitmix-style), e.g. deriveSeed(seed, epoch, 7). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // also mix the high part of numbers above 2^32 (seeds are plain integers)
    h = Math.imul(h ^ Math.floor(p / 4294967296), 0x27d4eb2f) >>> 0;
  }
  return h >>> 0;
}

/** A random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return rng.shuffle(p);
}
