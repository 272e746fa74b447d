// Who the audited node is, as the chain registry has it, next to what the node
// and the token say; each agreement is checked here, in the browser.
import { h, type Child } from '../lib/dom';
import type { AuditorContext, Connection, Trusted } from './context';
import { keyThumbprint, signatureVerifies } from './token';

export interface IdentityCheck {
  /** i18n key of the statement checked. */
  key: string;
  vars?: Record<string, string | number>;
  /** null: could not be checked here. */
  ok: boolean | null;
}

const sameOrigin = (a: string, b: string) => {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
};

/** The agreements between the chain, the node's own announcement and the token. */
export async function identityChecks(connection: Connection, trusted: Trusted): Promise<IdentityCheck[]> {
  const { announced, onChain, claims } = connection;
  const checks: IdentityCheck[] = [];
  if (announced) {
    checks.push({ key: 'check.issuerIsNode', ok: announced.participant.toLowerCase() === connection.participant });
    checks.push({
      key: 'check.sameNetwork',
      vars: { chainId: trusted.network.chainId },
      ok: announced.chainId === trusted.network.chainId && announced.contracts.anchorLog.toLowerCase() === trusted.network.contracts.anchorLog.toLowerCase(),
    });
  } else {
    checks.push({ key: 'check.announced', ok: null });
  }
  if (onChain) {
    if (announced) checks.push({ key: 'check.nameOnChain', vars: { name: onChain.name }, ok: announced.participantName === onChain.name });
    checks.push({ key: 'check.endpointOnChain', vars: { endpoint: onChain.endpoint }, ok: sameOrigin(onChain.endpoint, connection.nodeUrl) });
    if (claims.keyX) {
      checks.push({ key: 'check.tokenKeyOnChain', ok: keyThumbprint(claims.keyX) === onChain.keyThumbprint });
      checks.push({ key: 'check.tokenSignature', ok: await signatureVerifies(connection.token, claims.keyX) });
    } else {
      checks.push({ key: 'check.tokenKeyOnChain', ok: false });
    }
  }
  return checks;
}

const STATUS_BADGE: Record<string, string> = { active: 'ok', suspended: 'warn' };

export function roleName(t: AuditorContext['t'], role: string): string {
  return t(`role.${role}`);
}

/** A registry status (the SDK's name for it) as a badge; a revocation names its first invalid batch. */
export function statusBadge(t: AuditorContext['t'], status: string, invalidFromBatch = 0): HTMLElement {
  const text = status === 'revoked' ? t('status.revokedFrom', { batch: invalidFromBatch }) : t(`status.${status}`);
  return h('span', { class: `badge ${STATUS_BADGE[status] ?? 'bad'}`, 'data-testid': 'chain-status' }, text);
}

function checkMark(t: AuditorContext['t'], ok: boolean | null): HTMLElement {
  if (ok === null) return h('span', { class: 'badge warn' }, t('check.notChecked'));
  return h('span', { class: `badge ${ok ? 'ok' : 'bad'}` }, ok ? t('check.yes') : t('check.no'));
}

function field(term: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', null, term), h('dd', null, ...value)];
}

/** The identity card of a connection, with its checks (computed by identityChecks). */
export function identityCard(ctx: AuditorContext, connection: Connection, checks: IdentityCheck[]): HTMLElement {
  const { t, i18n } = ctx;
  const { onChain, claims, announced } = connection;
  const expired = claims.expiresAt !== null && Date.parse(claims.expiresAt) <= Date.now();
  return h(
    'section',
    { class: 'card identity no-print', 'aria-labelledby': 'identity-title', 'data-testid': 'identity' },
    h('h2', { id: 'identity-title' }, t('identity.title')),
    h('p', { class: 'muted' }, t('identity.intro', { chainId: ctx.trusted.network.chainId })),
    onChain
      ? h(
          'dl',
          { class: 'facts', 'data-testid': 'identity-chain' },
          field(t('identity.name'), h('strong', { 'data-testid': 'chain-name' }, onChain.name)),
          field(t('identity.address'), h('span', { class: 'mono' }, onChain.checksummed)),
          field(t('identity.role'), roleName(t, onChain.role)),
          field(t('identity.status'), statusBadge(t, onChain.status, onChain.invalidFromBatch)),
          field(t('identity.gln'), onChain.gln || t('common.none')),
          field(t('identity.endpoint'), h('span', { class: 'mono' }, onChain.endpoint || t('common.none'))),
          field(t('identity.prefixes'), onChain.prefixes.length ? onChain.prefixes.join(', ') : t('common.none')),
          field(t('identity.registered'), onChain.registeredAt ? i18n.date(onChain.registeredAt, true) : t('common.none')),
          field(t('identity.key'), h('span', { class: 'mono' }, onChain.keyThumbprint)),
        )
      : h('div', { class: 'banner bad', role: 'alert' }, t('identity.unknown', { participant: connection.participant, chainId: ctx.trusted.network.chainId })),
    h('h3', null, t('identity.says')),
    h(
      'dl',
      { class: 'facts' },
      field(t('identity.node'), h('span', { class: 'mono' }, connection.nodeUrl)),
      field(t('identity.announcedName'), announced ? announced.participantName : t('identity.noAnnouncement')),
      field(t('identity.auditor'), claims.subject || t('common.none')),
      field(t('identity.scopes'), claims.scopes.map((s) => h('span', { class: 'badge' }, s)).flatMap((b, i) => (i ? [' ', b] : [b]))),
      field(t('identity.gtins'), claims.gtins ? claims.gtins.join(', ') : t('identity.allGtins')),
      field(
        t('identity.expires'),
        claims.expiresAt ? i18n.date(claims.expiresAt, true) : t('common.none'),
        expired ? [' ', h('span', { class: 'badge bad' }, t('identity.expired'))] : null,
      ),
    ),
    h('h3', null, t('identity.checks')),
    h(
      'ul',
      { class: 'checks', 'data-testid': 'identity-checks' },
      checks.map((c) => h('li', null, checkMark(t, c.ok), ' ', t(c.key, c.vars))),
    ),
  );
}
