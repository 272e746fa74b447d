// Short, readable names of EPCIS events for tables.
export interface EventLike {
  type?: unknown;
  bizStep?: unknown;
  action?: unknown;
}

/** `commissioning`, `releasing`: the last segment of a CBV or medtrace bizStep. */
export function shortBizStep(bizStep: unknown): string {
  if (typeof bizStep !== 'string' || !bizStep) return '';
  return bizStep.split(/[:/]/).pop()!.replace(/^BizStep-/, '');
}

export function eventLabel(event: EventLike | undefined): string {
  if (!event) return '';
  const type = typeof event.type === 'string' ? event.type : '?';
  const step = shortBizStep(event.bizStep);
  return step ? `${type} · ${step}` : type;
}
