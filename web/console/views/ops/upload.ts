// One long write with its progress shown: the body uploads (bar filling),
// then the node works (bar indeterminate), then the answer. Used by
// commissioning a lot and by the bulk imports.
import type { ConsoleContext } from '../../types';
import { progressPanel, sendWithProgress, sizeOf, type ProgressPanel } from '../../widgets/progress';
import { formatBytes } from './messages';
import { answerError, authHeaders } from './session';

export interface LongWrite {
  url: string;
  body: string;
  contentType: string;
  idempotencyKey: string;
  /** More request headers (X-Reason). */
  headers?: Record<string, string>;
  /** Labels of the two steps: sending the body, the node working on it. */
  uploadLabel: string;
  workLabel: string;
  testId?: string;
}

export interface LongWriteRun {
  panel: ProgressPanel;
  /** The node's 2xx answer; a refusal rejects with the ApiError (problem+json). */
  result: Promise<{ status: number; body: unknown }>;
}

/** Starts the write; put `panel.element` on the page at once. */
export function longWrite(ctx: ConsoleContext, write: LongWrite): LongWriteRun {
  const { t } = ctx;
  const panel = progressPanel(
    [
      ['upload', write.uploadLabel],
      ['work', write.workLabel],
    ],
    {
      label: t('ops.progress'),
      states: { waiting: t('ops.step.waiting'), running: t('ops.step.running'), done: t('ops.step.done'), failed: t('ops.step.failed') },
    },
    write.testId,
  );
  const total = sizeOf(write.body);
  const started = performance.now();
  let uploaded = false;
  let workStarted = 0;
  const markUploaded = () => {
    if (uploaded) return;
    uploaded = true;
    panel.done('upload', formatBytes(total));
    workStarted = performance.now();
    panel.start('work');
  };
  panel.progress('upload', 0, total, t('ops.bytes', { sent: formatBytes(0), total: formatBytes(total) }));
  const result = sendWithProgress({
    method: 'POST',
    url: write.url,
    body: write.body,
    headers: authHeaders({ ...write.headers, 'content-type': write.contentType, 'idempotency-key': write.idempotencyKey }),
    onUploadProgress: (loaded, size) => panel.progress('upload', loaded, size, t('ops.bytes', { sent: formatBytes(loaded), total: formatBytes(size) })),
    onUploaded: markUploaded,
  }).then(
    (answer) => {
      markUploaded();
      const seconds = ((performance.now() - (workStarted || started)) / 1000).toFixed(1);
      if (answer.status >= 200 && answer.status < 300) {
        panel.done('work', t('ops.seconds', { seconds }));
        return answer;
      }
      const error = answerError(answer.status, answer.body);
      panel.fail('work', error.title);
      throw error;
    },
    (err: unknown) => {
      panel.fail(uploaded ? 'work' : 'upload', err instanceof Error ? err.message : String(err));
      throw err;
    },
  );
  return { panel, result };
}
