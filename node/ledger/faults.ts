// Fault injection for the crash-recovery and fault tests: MEDTRACE_FAULT names a
// point in the anchoring pipeline where the process kills itself with SIGKILL
// (no cleanup, no flushing: exactly like a power cut), or `anchor:random` for a
// kill at any of them by chance. Never set in production.
export const ANCHOR_FAULT_POINTS = ['anchor:after-build', 'anchor:after-intent', 'anchor:after-send', 'anchor:after-mined'] as const;
export type AnchorFaultPoint = (typeof ANCHOR_FAULT_POINTS)[number];

/** Every value MEDTRACE_FAULT accepts: one point, or `anchor:random`. */
export const ANCHOR_FAULTS = [...ANCHOR_FAULT_POINTS, 'anchor:random'] as const;
export type AnchorFault = (typeof ANCHOR_FAULTS)[number];

/**
 * The chance of a kill at each point passed under `anchor:random`. A batch passes three
 * or four points, so about two batches in three die somewhere and one in three gets through.
 */
export const RANDOM_FAULT_CHANCE = 0.25;

export function injectFault(point: AnchorFaultPoint, configured: string | undefined, chance: () => number = Math.random): void {
  if (configured !== point && !(configured === 'anchor:random' && chance() < RANDOM_FAULT_CHANCE)) return;
  const entry = { time: new Date().toISOString(), level: 'warn', msg: 'fault injected: SIGKILL', point, ...(configured === point ? {} : { random: true }) };
  process.stderr.write(`${JSON.stringify(entry)}\n`);
  process.kill(process.pid, 'SIGKILL');
}
