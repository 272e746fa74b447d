// Fault injection for the crash-recovery tests: MEDTRACE_FAULT names a point in
// the anchoring pipeline where the process kills itself with SIGKILL (no
// cleanup, no flushing: exactly like a power cut). Never set in production.
export const ANCHOR_FAULT_POINTS = ['anchor:after-build', 'anchor:after-send', 'anchor:after-mined'] as const;
export type AnchorFaultPoint = (typeof ANCHOR_FAULT_POINTS)[number];

export function injectFault(point: AnchorFaultPoint, configured: string | undefined): void {
  if (configured !== point) return;
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg: 'fault injected: SIGKILL', point })}\n`);
  process.kill(process.pid, 'SIGKILL');
}
