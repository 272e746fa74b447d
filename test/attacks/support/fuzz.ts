// The attack suites' fuzzing knobs: one fixed seed (so `npm test` is repeatable;
// fast-check prints the seed and the shrunk counterexample of a failure) and
// bounded run counts. MEDTRACE_FUZZ_SEED replays another seed;
// MEDTRACE_FUZZ_SCALE multiplies the run counts for a longer hunt.

/** The seed of every property in test/attacks (MEDTRACE_FUZZ_SEED overrides it). */
export const FUZZ_SEED = Number(process.env.MEDTRACE_FUZZ_SEED ?? 20261123);

const SCALE = Number(process.env.MEDTRACE_FUZZ_SCALE ?? 1);

/** `n` runs, times MEDTRACE_FUZZ_SCALE (at least 1). */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * (Number.isFinite(SCALE) && SCALE > 0 ? SCALE : 1)));
}
