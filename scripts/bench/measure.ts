// What every benchmark reports, and the one way it times things.
import { performance } from 'node:perf_hooks';

export interface BenchResult {
  /** Which benchmark: tree, proofs, gas, commission. */
  group: string;
  /** What was measured, e.g. `SDK merkleRoot (native SHA-256), 100,000 leaves`. */
  name: string;
  value: number;
  unit: string;
  /** The target as shown beside the figure, e.g. `>= 200,000`; absent for reference rows. */
  target?: string;
  /** Whether `value` meets the target; absent for reference rows. */
  meets?: boolean;
  /** How it was measured (sample count, database, hash function…). */
  note?: string;
  /** Raw figures behind `value` (milliseconds, gas used…), for the JSON file. */
  detail?: Record<string, unknown>;
}

/**
 * Milliseconds `fn` takes: one warm-up run, then `runs` timed runs; the median and every sample.
 * When the warm-up alone takes longer than `slowMs`, it is the one sample (a slow library on a
 * big input is not repeated: its figure is already far from the others').
 */
export async function timeRuns(fn: () => unknown, options: { runs: number; slowMs?: number }): Promise<{ medianMs: number; samplesMs: number[] }> {
  const warmStart = performance.now();
  await fn();
  const warmMs = performance.now() - warmStart;
  if (options.slowMs !== undefined && warmMs > options.slowMs) return { medianMs: warmMs, samplesMs: [Math.round(warmMs * 10) / 10] };
  const samplesMs: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const start = performance.now();
    await fn();
    samplesMs.push(performance.now() - start);
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { medianMs, samplesMs: samplesMs.map((ms) => Math.round(ms * 10) / 10) };
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** The nearest-rank `p`th percentile of ascending `sorted` (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
