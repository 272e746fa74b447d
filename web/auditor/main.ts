// The auditor console (DESIGN 1: an auditor trusts the chain only). The node
// serving this page announces the network it trusts (chain id, contracts, a
// read-only RPC); everything is verified here against that chain: a node under
// audit is reached with an auditor token (its ledger's bundles verified one by
// one, its verification report cross-checked, its EPCIS export saved), and any
// bundle file can be checked without a node at all. Hash routes: #/node,
// #/ledger, #/bundle, #/report, #/export.
import { createVerificationCache } from '../../sdk';
import { h, replace } from '../lib/dom';
import { createI18n } from '../lib/i18n';
import { chainProvider, loadNetwork } from '../lib/network';
import { bundleSection } from './bundle';
import { ChainReader } from './chain';
import { connect, ConnectInputError } from './connect';
import type { AuditorContext, Connection, Section, Trusted } from './context';
import { exportSection } from './epcisExport';
import { identityCard } from './identity';
import { ledgerSection } from './ledger';
import { auditorMessages } from './messages';
import { refusalBanner, toRefusal } from './refusal';
import { reportSection } from './report';

const SESSION_KEY = 'medtrace.auditor.connection';

const i18n = createI18n(auditorMessages, () => render());
const t = i18n.t;
const app = document.getElementById('app')!;
let trusted: Trusted;
let connection: Connection | null = null;
let sections: Section[] = [];
/** What the connect form last showed (kept across language changes). */
let connectError: { field?: 'node' | 'token'; key?: string; refusal?: ReturnType<typeof toRefusal> } | null = null;
let connecting = false;
/** What was typed in the connect form (the token only in memory). */
const draft = { nodeUrl: saved()?.nodeUrl ?? location.origin, token: '' };
const bundle = bundleSection();

const overview: Section = {
  id: 'node',
  title: 'nav.node',
  needsConnection: false,
  render(root, ctx) {
    if (ctx.connection) {
      replace(
        root,
        identityCard(ctx, ctx.connection, ctx.connection.checks),
        h('div', { class: 'row no-print' }, h('button', { type: 'button', class: 'secondary', 'data-testid': 'disconnect', onclick: disconnect }, t('connect.disconnect'))),
      );
    } else replace(root, connectForm());
  },
};

function context(): AuditorContext {
  return { i18n, t, trusted, connection };
}

function saved(): { nodeUrl: string; token: string } | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as { nodeUrl: string; token: string }) : null;
  } catch {
    return null;
  }
}

function connectForm(): HTMLElement {
  const node = h('input', {
    id: 'node-url',
    name: 'node',
    type: 'url',
    inputmode: 'url',
    autocomplete: 'url',
    required: true,
    value: draft.nodeUrl,
    'aria-invalid': connectError?.field === 'node' ? 'true' : null,
    'aria-describedby': 'node-url-help',
  });
  const token = h('textarea', {
    id: 'token',
    name: 'token',
    rows: 4,
    required: true,
    spellcheck: 'false',
    autocomplete: 'off',
    class: 'mono',
    'aria-invalid': connectError?.field === 'token' ? 'true' : null,
    'aria-describedby': 'token-help',
  });
  token.value = draft.token;
  node.addEventListener('input', () => (draft.nodeUrl = node.value));
  token.addEventListener('input', () => (draft.token = token.value));
  const alert = h(
    'div',
    { role: 'alert', 'data-testid': 'connect-alert' },
    connectError?.key ? h('p', { class: 'error' }, t(connectError.key)) : null,
    connectError?.refusal ? refusalBanner(connectError.refusal, t, t('connect.refused')) : null,
  );
  const submit = h('button', { type: 'submit', 'data-testid': 'connect', disabled: connecting }, connecting ? t('connect.connecting') : t('connect.submit'));
  const form = h(
    'form',
    { class: 'card connect', 'aria-labelledby': 'connect-title' },
    h('h2', { id: 'connect-title' }, t('connect.title')),
    h('p', null, t('connect.intro')),
    h('label', { for: 'node-url' }, t('connect.node')),
    node,
    h('p', { id: 'node-url-help', class: 'muted small' }, t('connect.nodeHelp')),
    h('label', { for: 'token' }, t('connect.token')),
    token,
    h('p', { id: 'token-help', class: 'muted small' }, t('connect.tokenHelp')),
    alert,
    h('div', { class: 'row' }, submit),
    h('p', null, h('a', { href: '#/bundle' }, t('connect.orBundle'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void doConnect(node.value, token.value);
  });
  return form;
}

async function doConnect(nodeUrl: string, token: string): Promise<void> {
  connecting = true;
  connectError = null;
  draft.nodeUrl = nodeUrl;
  draft.token = token;
  render();
  try {
    connection = await connect(nodeUrl, token, trusted);
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ nodeUrl: connection.nodeUrl, token: connection.token }));
    draft.token = '';
    sections = [ledgerSection(connection), reportSection(connection), exportSection(connection)];
  } catch (err) {
    connection = null;
    // A refused token is not tried again on the next visit; the node's address is kept.
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ nodeUrl: draft.nodeUrl, token: '' }));
    connectError = err instanceof ConnectInputError ? { field: err.field, key: err.key } : { field: 'token', refusal: toRefusal(err, t) };
  } finally {
    connecting = false;
  }
  render();
  if (connection) {
    if (!location.hash || location.hash === '#/node') document.getElementById('section-title')?.focus();
    else location.hash = '#/node';
  } else document.getElementById(connectError?.field === 'node' ? 'node-url' : 'token')?.focus();
}

function disconnect(): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ nodeUrl: connection?.nodeUrl ?? draft.nodeUrl, token: '' }));
  connection = null;
  sections = [];
  connectError = null;
  location.hash = '#/node';
  render();
}

function allSections(): Section[] {
  const [ledger, report, exporter] = sections;
  return [overview, ledger ?? placeholder('ledger', 'nav.ledger'), bundle, report ?? placeholder('report', 'nav.report'), exporter ?? placeholder('export', 'nav.export')];
}

/** A section that needs a connection, before there is one. */
function placeholder(id: string, title: string): Section {
  return {
    id,
    title,
    needsConnection: true,
    render(root) {
      replace(root, h('p', { class: 'banner warn' }, t('section.needsConnection'), ' ', h('a', { href: '#/node' }, t('section.connectLink'))));
    },
  };
}

function currentId(): string {
  return location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] || 'node';
}

function render(): void {
  const list = allSections();
  const current = list.find((s) => s.id === currentId()) ?? overview;
  const title = h('h1', { id: 'section-title', tabindex: -1, class: 'no-print' }, t(current.title));
  const content = h('section', { id: 'section', 'data-section': current.id, 'aria-labelledby': 'section-title' });
  const network = trusted.network;
  replace(
    app,
    h(
      'div',
      { class: 'auditor' },
      h(
        'header',
        { class: 'app-header no-print' },
        h('strong', null, t('app.title')),
        h('span', { class: 'chain-info' }, t('app.trusts', { chainId: network.chainId, anchorLog: `${network.contracts.anchorLog.slice(0, 10)}…` })),
        connection ? h('span', { class: 'connected', 'data-testid': 'connected-as' }, t('app.connected', { name: connection.onChain?.name ?? connection.participant })) : null,
        h('button', { type: 'button', class: 'lang', lang: i18n.lang === 'en' ? 'zh-CN' : 'en', 'data-testid': 'lang', onclick: () => i18n.setLang(i18n.lang === 'en' ? 'zh' : 'en') }, t('app.language')),
      ),
      h(
        'nav',
        { 'aria-label': t('app.nav'), class: 'no-print' },
        h(
          'ul',
          null,
          list.map((s) =>
            h(
              'li',
              null,
              h('a', { href: `#/${s.id}`, 'aria-current': s === current ? 'page' : null, class: s.needsConnection && !connection ? 'disabled' : null }, t(s.title)),
            ),
          ),
        ),
      ),
      h('main', { id: 'main' }, title, content),
    ),
  );
  document.title = `${t(current.title)} · ${t('app.title')}`;
  current.render(content, context());
}

async function start(): Promise<void> {
  try {
    const network = await loadNetwork();
    const provider = chainProvider(network);
    trusted = { network, provider, chain: new ChainReader(network, provider), cache: createVerificationCache() };
  } catch (err) {
    replace(app, h('p', { role: 'alert', class: 'banner bad' }, t('app.noNetwork', { detail: err instanceof Error ? err.message : String(err) })));
    return;
  }
  window.addEventListener('hashchange', () => {
    render();
    document.getElementById('section-title')?.focus({ preventScroll: false });
  });
  render();
  const last = saved();
  if (last?.token) await doConnect(last.nodeUrl, last.token);
}

void start();
