// One proof bundle from a file (picked or dropped) or pasted JSON, verified here
// against the chain this console trusts, with no node involved: what it proves
// (the participant as the registry has it, the event, its batch, root, block and
// transaction), or why it is refused, in plain words with the SDK's code.
import { MedtraceError, verifyBundle, type ProofBundle, type VerifiedBundle } from '../../sdk';
import { announce, h, replace, type Child } from '../lib/dom';
import { txLink } from '../lib/network';
import type { ChainParticipant } from './chain';
import type { AuditorContext, Section } from './context';
import { eventLabel } from './events';
import { roleName, statusBadge } from './identity';
import { refusalBanner, toRefusal, type Refusal } from './refusal';

const MAX_BYTES = 5 * 1024 * 1024;

interface Outcome {
  source: string;
  verified?: { result: VerifiedBundle; bundle: ProofBundle; participant: ChainParticipant | null; checkedAt: string };
  refusal?: Refusal;
}

/** The bundle itself, or the answer of a node that wraps one ({ status, bundle }). */
function unwrap(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'bundle' in value && !('envelope' in value)) return (value as { bundle: unknown }).bundle;
  return value;
}

export function bundleSection(): Section {
  let outcome: Outcome | null = null;
  let busy = false;
  let ctx: AuditorContext;
  let result: HTMLElement | null = null;

  async function check(text: string, source: string): Promise<void> {
    const { trusted, t } = ctx;
    busy = true;
    draw();
    try {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (cause) {
        throw new MedtraceError('BUNDLE_MALFORMED', t('bundle.notJson', { detail: (cause as Error).message }), { field: 'bundle', cause });
      }
      const bundle = unwrap(value) as ProofBundle;
      const verified = await verifyBundle(bundle, {
        provider: trusted.provider,
        cache: trusted.cache,
        expect: { chainId: trusted.network.chainId, anchorLog: trusted.network.contracts.anchorLog },
      });
      const participant = await trusted.chain.participant(verified.participant);
      outcome = { source, verified: { result: verified, bundle, participant, checkedAt: new Date().toISOString() } };
      announce(t('bundle.verifiedAnnounce', { seq: verified.seq, block: verified.blockNumber }));
    } catch (err) {
      outcome = { source, refusal: toRefusal(err, t) };
      announce(t('bundle.refusedAnnounce', { code: outcome.refusal!.code }));
    } finally {
      busy = false;
    }
    draw();
    result?.scrollIntoView?.({ block: 'nearest' });
  }

  async function openFile(file: File | undefined): Promise<void> {
    if (!file) return;
    if (file.size > MAX_BYTES) {
      outcome = { source: file.name, refusal: toRefusal(new MedtraceError('BUNDLE_MALFORMED', ctx.t('bundle.tooBig', { max: '5 MB' }), { field: 'bundle' }), ctx.t) };
      draw();
      return;
    }
    await check(await file.text(), file.name);
  }

  function verifiedView(v: NonNullable<Outcome['verified']>): HTMLElement {
    const { t, i18n, trusted } = ctx;
    const { result: r, bundle, participant } = v;
    const link = txLink(trusted.network, r.txHash);
    const fact = (term: string, ...value: Child[]) => [h('dt', null, term), h('dd', null, ...value)];
    const event = bundle.envelope.event;
    return h(
      'div',
      { 'data-testid': 'bundle-verified' },
      h(
        'div',
        { class: 'banner ok', role: 'status' },
        h('strong', null, t('bundle.verified')),
        h('p', null, t('bundle.verifiedAt', { chainId: r.chainId, block: r.blockNumber })),
      ),
      h(
        'dl',
        { class: 'facts' },
        fact(
          t('bundle.participant'),
          participant ? [h('strong', { 'data-testid': 'bundle-participant' }, participant.name), ' · ', roleName(t, participant.role), ' ', statusBadge(t, participant.status, participant.invalidFromBatch)] : t('bundle.participantUnknown'),
          h('div', { class: 'mono' }, participant?.checksummed ?? r.participant),
        ),
        fact(t('bundle.seq'), h('span', { 'data-testid': 'bundle-seq' }, r.seq)),
        fact(t('bundle.event'), eventLabel(event), typeof event.eventTime === 'string' ? h('div', { class: 'muted' }, i18n.date(event.eventTime, true)) : null),
        fact(t('bundle.batch'), t('bundle.batchRange', { batch: r.batch, from: r.from, to: r.to })),
        fact(t('bundle.root'), h('span', { class: 'mono' }, r.root)),
        fact(t('bundle.block'), String(r.blockNumber)),
        fact(t('bundle.tx'), link ? h('a', { href: link, class: 'mono', rel: 'noopener', target: '_blank' }, r.txHash) : h('span', { class: 'mono' }, r.txHash)),
        fact(t('bundle.leaf'), h('span', { class: 'mono' }, r.leaf)),
        r.units.length ? fact(t('bundle.units'), h('ul', { class: 'plain' }, r.units.map((u) => h('li', { class: 'mono' }, u)))) : null,
      ),
      h('p', { class: 'muted' }, t('bundle.what', { chainId: r.chainId })),
    );
  }

  function draw(): void {
    if (!result) return;
    const { t } = ctx;
    if (busy) {
      replace(result, h('p', { role: 'status' }, t('bundle.checking')));
      return;
    }
    if (!outcome) {
      replace(result);
      return;
    }
    replace(
      result,
      h('p', { class: 'muted' }, t('bundle.source', { source: outcome.source })),
      outcome.verified
        ? verifiedView(outcome.verified)
        : h('div', { role: 'alert', 'data-testid': 'bundle-refused' }, refusalBanner(outcome.refusal!, t, t('bundle.refused'))),
    );
  }

  return {
    id: 'bundle',
    title: 'nav.bundle',
    needsConnection: false,
    render(root, context) {
      ctx = context;
      const { t } = ctx;
      const file = h('input', { id: 'bundle-file', type: 'file', accept: '.json,application/json' });
      file.addEventListener('change', () => {
        void openFile(file.files?.[0]).finally(() => (file.value = ''));
      });
      const zone = h('div', { class: 'dropzone', 'data-testid': 'dropzone' }, h('p', null, t('bundle.drop')), h('label', { for: 'bundle-file' }, t('bundle.file')), file);
      zone.addEventListener('dragover', (e) => {
        e.preventDefault();
        zone.classList.add('over');
      });
      zone.addEventListener('dragleave', () => zone.classList.remove('over'));
      zone.addEventListener('drop', (e) => {
        e.preventDefault();
        zone.classList.remove('over');
        void openFile((e as DragEvent).dataTransfer?.files?.[0]);
      });
      const pasted = h('textarea', { id: 'bundle-json', rows: 6, spellcheck: 'false', autocomplete: 'off', class: 'mono' });
      const pasteForm = h(
        'form',
        { class: 'no-print' },
        h('label', { for: 'bundle-json' }, t('bundle.paste')),
        pasted,
        h('div', { class: 'row' }, h('button', { type: 'submit' }, t('bundle.verifyPasted'))),
      );
      pasteForm.addEventListener('submit', (e) => {
        e.preventDefault();
        if (pasted.value.trim()) void check(pasted.value, t('bundle.pastedSource'));
      });
      result = h('div', { 'data-testid': 'bundle-result' });
      replace(root, h('p', null, t('bundle.intro', { chainId: ctx.trusted.network.chainId })), zone, pasteForm, result);
      draw();
    },
  };
}
