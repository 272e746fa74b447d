// The participant console: sign in with a staff account of this node, then the
// views of views/index.ts under hash routes (#/lots/…). The token lives in
// sessionStorage (gone with the tab); a 401 returns to the sign-in form.
import { ApiError, createApi } from '../lib/api';
import { announce, h, replace } from '../lib/dom';
import { createI18n, type Dictionary } from '../lib/i18n';
import { loadNetwork, type NetworkInfo } from '../lib/network';
import { shellMessages } from './messages';
import { signatureDialog } from './signature';
import type { ConsoleContext, View } from './types';
import { VIEWS } from './views';

const TOKEN_KEY = 'medtrace.console.token';
const USER_KEY = 'medtrace.console.user';

const dictionaries = { en: { ...shellMessages.en } as Dictionary, zh: { ...shellMessages.zh } as Dictionary };
for (const view of VIEWS) {
  Object.assign(dictionaries.en, view.messages.en);
  Object.assign(dictionaries.zh, view.messages.zh);
}
const i18n = createI18n(dictionaries, () => void route());
const t = i18n.t;
const app = document.getElementById('app')!;
let network: NetworkInfo;

const api = createApi({
  token: () => sessionStorage.getItem(TOKEN_KEY),
  onUnauthorized: () => {
    if (sessionStorage.getItem(TOKEN_KEY)) signOut();
  },
});

function currentUser(): { username: string; roles: string[] } | null {
  const raw = sessionStorage.getItem(USER_KEY);
  return raw && sessionStorage.getItem(TOKEN_KEY) ? (JSON.parse(raw) as { username: string; roles: string[] }) : null;
}

function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  void route();
}

function renderSignIn(): void {
  document.title = t('signin.title') + ' · ' + t('app.title');
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const alert = h('p', { role: 'alert', class: 'error' });
  const submit = h('button', { type: 'submit' }, t('signin.submit'));
  const form = h(
    'form',
    { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, t('app.title')),
    h('p', { class: 'muted' }, network ? `${network.participantName}` : ''),
    h('label', { for: 'username' }, t('signin.username')),
    username,
    h('label', { for: 'password' }, t('signin.password')),
    password,
    alert,
    h('div', { class: 'row' }, submit, h('button', { type: 'button', class: 'secondary', onclick: toggleLang }, t('shell.language'))),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    alert.textContent = '';
    try {
      const answer = await api.post<{ accessToken: string; username: string; roles: string[] }>('/api/v1/auth/token', {
        username: username.value.trim(),
        password: password.value,
      });
      sessionStorage.setItem(TOKEN_KEY, answer.accessToken);
      sessionStorage.setItem(USER_KEY, JSON.stringify({ username: answer.username, roles: answer.roles }));
      await route();
    } catch (err) {
      alert.textContent = t('signin.failed', { detail: err instanceof Error ? err.message : String(err) });
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  replace(app, h('main', { id: 'main' }, form));
  username.focus();
}

function toggleLang(): void {
  i18n.setLang(i18n.lang === 'en' ? 'zh' : 'en');
}

function parseHash(): { segments: string[]; query: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?', 2) as [string, string?];
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { segments, query: new URLSearchParams(search) };
}

let renderCount = 0;

async function route(): Promise<void> {
  const user = currentUser();
  if (!user) return renderSignIn();
  const { segments, query } = parseHash();
  const visible = VIEWS.filter((v) => !v.roles?.length || v.roles.some((r) => user.roles.includes(r)) || user.roles.includes('admin'));
  const view = VIEWS.find((v) => v.id === (segments[0] ?? 'home'));
  const alert = h('div', { role: 'alert', 'aria-live': 'assertive', 'data-testid': 'alert' });
  const status = h('div', { role: 'status', 'data-testid': 'status' });
  const content = h('div', { id: 'view' });
  const heading = h('h1', { tabindex: -1 }, view ? t(view.title) : t('common.error'));
  const nav = h(
    'nav',
    { 'aria-label': t('shell.nav'), class: 'no-print' },
    h(
      'ul',
      null,
      visible.map((v) => h('li', null, h('a', { href: `#/${v.id}`, 'aria-current': v === view ? 'page' : null }, t(v.title)))),
    ),
  );
  replace(
    app,
    h(
      'div',
      { class: 'shell' },
      h(
        'header',
        { class: 'no-print' },
        h('strong', null, t('app.title')),
        h('span', { class: 'muted', style: 'color: #c9d6e3' }, t('shell.participant', { name: network.participantName, participant: network.participant, chainId: network.chainId })),
        h(
          'span',
          null,
          `${user.username} `,
          h('button', { type: 'button', onclick: toggleLang, lang: i18n.lang === 'en' ? 'zh-CN' : 'en' }, t('shell.language')),
          ' ',
          h('button', { type: 'button', onclick: signOut }, t('shell.signout')),
        ),
      ),
      nav,
      h('main', { id: 'main' }, heading, alert, status, content),
    ),
  );
  document.title = `${heading.textContent} · ${t('app.title')}`;
  const ctx: ConsoleContext = {
    api,
    i18n,
    t,
    user,
    network,
    navigate: (path) => {
      location.hash = `#${path.startsWith('/') ? path : `/${path}`}`;
    },
    sign: (meaning, summary) => signatureDialog(i18n, user.username, meaning, summary),
    showError(err) {
      const message = err instanceof ApiError ? `${err.title}: ${err.message}` : err instanceof Error ? err.message : String(err);
      replace(alert, h('div', { class: 'banner bad' }, message));
      alert.scrollIntoView?.({ block: 'nearest' });
    },
    notify(message) {
      replace(status, h('div', { class: 'banner ok' }, message));
      announce(message);
    },
  };
  if (!view) {
    content.append(h('p', null, t('shell.notFound', { path: location.hash })));
    return;
  }
  const mine = ++renderCount;
  try {
    await view.render(content, ctx, segments.slice(1), query);
  } catch (err) {
    if (mine === renderCount) ctx.showError(err);
  }
  if (mine === renderCount) heading.focus({ preventScroll: true });
}

async function start(): Promise<void> {
  try {
    network = await loadNetwork();
  } catch (err) {
    replace(app, h('p', { role: 'alert', class: 'error', style: 'padding: 1em' }, err instanceof Error ? err.message : String(err)));
    return;
  }
  window.addEventListener('hashchange', () => void route());
  await route();
}

void start();
