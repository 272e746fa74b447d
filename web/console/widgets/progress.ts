// Progress of long work (a bulk import, commissioning a big lot): a list of
// steps with one progress bar, determinate while the request body uploads
// (XMLHttpRequest's upload events: fetch has none) and indeterminate while
// the node works on it. Each step keeps its outcome on screen afterwards.
import { h, type Child } from '../../lib/dom';
import './widgets.css';

export type StepState = 'waiting' | 'running' | 'done' | 'failed';

export interface ProgressLabels {
  /** The bar's accessible name. */
  label: string;
  /** The words for a step's state, in the page's language. */
  states: Record<StepState, string>;
}

export interface ProgressPanel {
  element: HTMLElement;
  /** A step starts, indeterminate (how long it takes is unknown). */
  start(step: string): void;
  /** A step with a known size: `loaded` of `total` (bytes, rows…). */
  progress(step: string, loaded: number, total: number, note?: string): void;
  done(step: string, note?: string): void;
  fail(step: string, note: string): void;
}

/** A panel for `steps` ([id, label] in order), all waiting. */
export function progressPanel(steps: [id: string, label: string][], labels: ProgressLabels, testId?: string): ProgressPanel {
  const bar = h('progress', { max: 1, 'aria-label': labels.label });
  bar.removeAttribute('value');
  const items = new Map<string, { li: HTMLLIElement; state: HTMLSpanElement; note: HTMLSpanElement }>();
  const list = h(
    'ol',
    null,
    steps.map(([id, label]) => {
      const state = h('span', { class: 'muted' }, labels.states.waiting);
      const note = h('span');
      const li = h('li', { 'data-step': id, 'data-state': 'waiting' }, `${label}: `, state, ' ', note);
      items.set(id, { li, state, note });
      return li;
    }),
  );
  const element = h('div', { class: 'card progress-panel', 'data-testid': testId ?? null, 'aria-busy': 'false' }, bar, list);

  const set = (step: string, state: StepState, note?: Child) => {
    const item = items.get(step);
    if (!item) throw new Error(`progressPanel: no step ${step}`);
    item.li.dataset.state = state;
    item.state.textContent = labels.states[state];
    if (note !== undefined) item.note.replaceChildren(typeof note === 'string' ? note : String(note ?? ''));
    element.dataset.step = step;
    element.dataset.state = state;
    element.setAttribute('aria-busy', String(state === 'running'));
  };
  return {
    element,
    start(step) {
      bar.removeAttribute('value');
      set(step, 'running');
    },
    progress(step, loaded, total, note) {
      bar.max = Math.max(total, 1);
      bar.value = Math.min(loaded, bar.max);
      set(step, 'running', note ?? `${Math.round((100 * loaded) / Math.max(total, 1))} %`);
    },
    done(step, note) {
      bar.max = 1;
      bar.value = 1;
      set(step, 'done', note);
    },
    fail(step, note) {
      bar.max = 1;
      bar.value = 0;
      set(step, 'failed', note);
    },
  };
}

export interface SendOptions {
  method: 'POST' | 'PUT';
  url: string;
  body: string | Blob;
  headers: Record<string, string>;
  /** Bytes of the body sent so far. */
  onUploadProgress?(loaded: number, total: number): void;
  /** The whole body is sent: from here on the node is working. */
  onUploaded?(): void;
}

export interface SendResult {
  status: number;
  /** The JSON answer (problem+json for an error), or the text when it is not JSON. */
  body: unknown;
}

/** One request by XMLHttpRequest, for the upload progress fetch does not report. Network failure rejects; any HTTP status resolves. */
export function sendWithProgress(options: SendOptions): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(options.method, options.url);
    for (const [name, value] of Object.entries(options.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      const total = event.lengthComputable ? event.total : sizeOf(options.body);
      options.onUploadProgress?.(event.loaded, total);
    });
    xhr.upload.addEventListener('load', () => options.onUploaded?.());
    xhr.addEventListener('load', () => {
      let body: unknown = xhr.responseText;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        // not JSON: keep the text
      }
      resolve({ status: xhr.status, body });
    });
    xhr.addEventListener('error', () => reject(new Error(`${options.method} ${options.url}: the network request failed`)));
    xhr.addEventListener('abort', () => reject(new Error(`${options.method} ${options.url}: aborted`)));
    xhr.send(options.body);
  });
}

/** Bytes `body` takes on the wire (UTF-8). */
export function sizeOf(body: string | Blob): number {
  return typeof body === 'string' ? new TextEncoder().encode(body).length : body.size;
}
