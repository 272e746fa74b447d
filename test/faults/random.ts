// A seeded random source for the fault runs: FAULT_SEED replays a run's choices
// (which fault point, when the outside kill comes); the seed is printed with the counts.
// Each draw is SHA-256(seed:counter): slow for a generator, plenty for a few hundred draws.
import { createHash } from 'node:crypto';

export interface Random {
  seed: number;
  /** [0, 1) */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed = Number(process.env.FAULT_SEED) || Math.floor(Math.random() * 2 ** 31)): Random {
  let counter = 0;
  const next = () => createHash('sha256').update(`${seed}:${counter++}`).digest().readUInt32BE(0) / 2 ** 32;
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}
