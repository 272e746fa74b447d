// The scan field: a text input that stays focused and takes what a barcode
// scanner types — a GS1 element string with GS separators (ASCII 29, which a
// keyboard-wedge scanner may send as Ctrl+] and a person may write <GS>; the
// SDK's normalizeScannedGs1 reads every written form), a bracketed one, or a
// Digital Link — ended by Enter. Each scan is read in the browser first (the
// caller's parser, the SDK's), what it says is shown, then the caller's
// handler decides; scans are handled one at a time, in order, so a fast
// scanner never races its own answers.
import { GS1_SEPARATOR as GS, normalizeScannedGs1 } from '../../../sdk/gs1';
import { h, replace, type Child } from '../../lib/dom';
import './widgets.css';

/** A scan's text for the eye: GS shown as ␝. */
export function visibleScan(text: string): string {
  return text.split(GS).join('\u241d');
}

export interface ScanOutcome {
  ok: boolean;
  /** What happened, in words (the node's reason when refused). */
  message: Child;
}

export interface ScanFieldOptions<P> {
  id: string;
  label: string;
  hint: string;
  submitLabel: string;
  /** Reads the scan; throws (the SDK's coded error naming the field) when it is malformed: nothing is sent then. */
  parse(text: string): P;
  /** What the scan says, as definition-list pairs. */
  describe(parsed: P): [term: string, value: string][];
  /** Decides on a well-formed scan. */
  onScan(text: string, parsed: P): Promise<ScanOutcome>;
  /** The local refusal of a malformed scan, in words. */
  malformed(err: unknown): Child;
  /** "Scanned:" heading of the description, and the history's accessible name. */
  scannedLabel: string;
  historyLabel: string;
  testId?: string;
}

export interface ScanField {
  element: HTMLElement;
  focus(): void;
  /** Settles when every scan typed so far has been handled. */
  idle(): Promise<void>;
}

export function scanField<P>(options: ScanFieldOptions<P>): ScanField {
  const hintId = `${options.id}-hint`;
  const input = h('input', {
    id: options.id,
    name: options.id,
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    enterkeyhint: 'send',
    'aria-describedby': hintId,
    'data-testid': options.testId ? `${options.testId}-input` : null,
  });
  // A keyboard-wedge scanner sends FNC1/GS as Ctrl+]: the browser would drop it.
  input.addEventListener('keydown', (event) => {
    if (event.ctrlKey && (event.key === ']' || event.code === 'BracketRight')) {
      event.preventDefault();
      const at = input.selectionStart ?? input.value.length;
      input.setRangeText(GS, at, input.selectionEnd ?? at, 'end');
    }
  });
  const result = h('div', { class: 'scan-result', 'data-testid': options.testId ? `${options.testId}-result` : null });
  const history = h('ol', { class: 'scan-history', 'aria-label': options.historyLabel, reversed: true });
  const form = h(
    'form',
    { class: 'scan-field', 'data-testid': options.testId ?? null },
    h('label', { for: options.id }, options.label),
    h('p', { id: hintId, class: 'muted' }, options.hint),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, options.submitLabel)),
    result,
    history,
  );
  let queue = Promise.resolve();

  const show = (ok: boolean, text: string, described: [string, string][], message: Child) => {
    const box = h(
      'div',
      { class: `banner ${ok ? 'ok' : 'bad'}`, role: ok ? 'status' : 'alert', 'data-outcome': ok ? 'accepted' : 'refused' },
      h('div', null, message),
      described.length > 0
        ? [h('strong', null, options.scannedLabel), h('dl', null, described.map(([term, value]) => [h('dt', null, term), h('dd', { class: 'mono' }, value)]))]
        : h('div', { class: 'mono muted' }, visibleScan(text)),
    );
    replace(result, box);
    history.prepend(h('li', { 'data-outcome': ok ? 'accepted' : 'refused' }, h('span', { class: ok ? 'tick' : 'error', 'aria-hidden': 'true' }, ok ? '✓ ' : '✗ '), h('span', { class: 'mono' }, visibleScan(text))));
    while (history.children.length > 20) history.lastElementChild!.remove();
  };

  const handle = async (text: string) => {
    let parsed: P;
    try {
      parsed = options.parse(text);
    } catch (err) {
      show(false, text, [], options.malformed(err));
      return;
    }
    const described = options.describe(parsed);
    try {
      const outcome = await options.onScan(text, parsed);
      show(outcome.ok, text, described, outcome.message);
    } catch (err) {
      show(false, text, described, err instanceof Error ? err.message : String(err));
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = normalizeScannedGs1(input.value);
    input.value = '';
    input.focus();
    if (!text) return;
    form.setAttribute('aria-busy', 'true');
    queue = queue.then(() => handle(text)).finally(() => form.setAttribute('aria-busy', 'false'));
  });
  return { element: form, focus: () => input.focus(), idle: () => queue };
}
