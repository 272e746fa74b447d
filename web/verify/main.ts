// The public verification page (patients, clinicians). A code comes in from the
// URL (/verify/01/{gtin}/10/{lot}/21/{serial}, where a Digital Link's 303 lands,
// or ?udi=), the paste field, the camera or a photo; check.ts verifies it in
// this browser against the chain this node announces, render.ts says what came
// out. The language toggles without checking again.
import { h, replace, announce } from '../lib/dom';
import { createI18n, type Lang } from '../lib/i18n';
import { chainProvider, loadNetwork, type NetworkInfo } from '../lib/network';
import { checkCode, type Outcome, type Step } from './check';
import { verifyMessages } from './messages';
import { renderOutcome } from './render';
import { readPhoto, startCamera, type CameraScan } from './scan';
import { localToday } from './verdict';

const i18n = createI18n(verifyMessages, () => renderPage());
const t = i18n.t;
const app = document.getElementById('app')!;

let network: NetworkInfo | undefined;
let networkLoad: Promise<NetworkInfo> | undefined;
let outcome: Outcome | undefined;
let step: Step | undefined;
let failure: string | undefined;
let camera: CameraScan | undefined;
let scanMessage: { key: string; vars?: Record<string, string>; error?: boolean } | undefined;
let running = 0;

const input = h('input', {
  id: 'code',
  name: 'code',
  type: 'text',
  autocomplete: 'off',
  autocapitalize: 'off',
  spellcheck: 'false',
  enterkeyhint: 'go',
  'aria-describedby': 'code-hint',
});
const video = h('video', { class: 'camera', playsinline: true, muted: true, id: 'camera-view' });
// Chosen through its button (a file input styles and speaks poorly); hidden from the tab order and screen readers.
const photo = h('input', { id: 'photo', type: 'file', accept: 'image/*', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
photo.addEventListener('change', () => void onPhoto());

function getNetwork(): Promise<NetworkInfo> {
  networkLoad ??= loadNetwork().then(
    (n) => (network = n),
    (error: unknown) => {
      networkLoad = undefined;
      throw error;
    },
  );
  return networkLoad;
}

/** The code the URL carries: a Digital Link path under /verify/, or ?udi=. */
function codeFromUrl(): string | undefined {
  const udi = new URLSearchParams(location.search).get('udi');
  if (udi) return udi;
  const path = location.pathname.replace(/^\/verify/, '');
  if (path.startsWith('/01/')) return `${location.origin}${path}${location.search}`;
  return undefined;
}

/** Keeps the code in the address bar, so a reload or a shared link checks it again. */
function rememberInUrl(code: string): void {
  const params = new URLSearchParams(location.search);
  params.set('udi', code);
  history.replaceState(null, '', `/verify/?${params}`);
}

async function verify(code: string): Promise<void> {
  const run = ++running;
  stopCamera();
  outcome = undefined;
  failure = undefined;
  step = 'parse';
  renderPage();
  try {
    const net = await getNetwork();
    const result = await checkCode(code, {
      network: net,
      provider: chainProvider(net),
      onStep: (s) => {
        performance.mark(`medtrace:step:${s}`);
        if (run !== running) return;
        step = s;
        renderProgress();
      },
    });
    if (run !== running) return;
    outcome = result;
  } catch (error) {
    if (run !== running) return;
    failure = error instanceof Error ? error.message : String(error);
  }
  step = undefined;
  renderPage();
  // The benchmark (scripts/bench/webPage.ts) reads the time from navigation to the verdict from here.
  performance.mark('medtrace:verdict');
  const heading = document.getElementById('verdict-title') ?? document.getElementById('result-error');
  heading?.focus();
  if (heading) announce(heading.textContent ?? '');
}

function onSubmit(event: Event): void {
  event.preventDefault();
  const code = input.value;
  if (!code.trim()) {
    input.focus();
    return;
  }
  rememberInUrl(code.trim());
  void verify(code);
}

async function onCamera(): Promise<void> {
  if (camera) {
    stopCamera();
    renderPage();
    return;
  }
  scanMessage = { key: 'scan.loadingDecoder' };
  renderPage();
  try {
    const scan = await startCamera(video, (text) => {
      camera = undefined;
      scanMessage = { key: 'scan.found' };
      void useScanned(text);
    });
    camera = scan;
    scanMessage = { key: 'scan.looking' };
  } catch (error) {
    scanMessage = { key: 'scan.noCamera', vars: { detail: error instanceof Error ? error.message : String(error) }, error: true };
  }
  renderPage();
}

/**
 * A decoded code into the field and checked. A GS1 symbol's separators (GS, a control
 * character no font draws) are shown as ␝, which parseScannedGs1 reads back as GS.
 */
function useScanned(text: string): Promise<void> {
  const shown = text.replace(/\u001d/g, '\u241d');
  input.value = shown;
  rememberInUrl(shown);
  return verify(shown);
}

function stopCamera(): void {
  camera?.stop();
  camera = undefined;
}

async function onPhoto(): Promise<void> {
  const file = photo.files?.[0];
  if (!file) return;
  stopCamera();
  scanMessage = { key: 'scan.readingPhoto' };
  renderPage();
  try {
    const text = await readPhoto(file);
    photo.value = '';
    if (!text) {
      scanMessage = { key: 'scan.notFound', error: true };
      renderPage();
      return;
    }
    scanMessage = { key: 'scan.found' };
    await useScanned(text);
  } catch (error) {
    scanMessage = { key: 'scan.noCamera', vars: { detail: error instanceof Error ? error.message : String(error) }, error: true };
    renderPage();
  }
}

function toggleLang(): void {
  const next: Lang = i18n.lang === 'en' ? 'zh' : 'en';
  const params = new URLSearchParams(location.search);
  params.set('lang', next);
  history.replaceState(null, '', `${location.pathname}?${params}`);
  i18n.setLang(next);
}

function progressText(): string {
  if (failure) return t('progress.error', { detail: failure });
  return step ? t(`progress.${step}`) : '';
}

function renderProgress(): void {
  const progress = document.getElementById('progress');
  if (progress) progress.textContent = progressText();
}

function renderPage(): void {
  document.title = t('app.title');
  const result = h('section', { id: 'result', 'aria-labelledby': 'verdict-title', 'aria-busy': step ? 'true' : 'false' });
  if (outcome) {
    replace(result, ...renderOutcome(outcome, { i18n, network, today: localToday() }).content);
  } else if (failure) {
    replace(result, h('div', { class: 'banner warn', role: 'alert' }, h('h2', { id: 'result-error', tabindex: '-1' }, progressText())));
  }
  // The page is drawn anew on every change: whatever had the focus keeps it (by id).
  const focused = document.activeElement instanceof HTMLElement && document.activeElement.id ? document.activeElement.id : undefined;
  replace(
    app,
    h(
      'header',
      { class: 'top' },
      h('h1', null, t('app.title')),
      h('button', { type: 'button', id: 'lang-toggle', class: 'secondary', lang: i18n.lang === 'en' ? 'zh-CN' : 'en', 'aria-label': t('lang.switchLabel'), onclick: toggleLang }, t('lang.switch')),
    ),
    h(
      'main',
      null,
      h('p', { class: 'intro' }, t('app.intro')),
      h(
        'form',
        { class: 'card code-form', 'aria-labelledby': 'input-title', onsubmit: onSubmit },
        h('h2', { id: 'input-title', class: 'visually-hidden' }, t('input.heading')),
        h('label', { for: 'code' }, t('input.label')),
        input,
        h('p', { id: 'code-hint', class: 'muted small' }, t('input.hint')),
        h(
          'div',
          { class: 'row actions' },
          h('button', { type: 'submit', id: 'verify' }, t('input.submit')),
          h('button', { type: 'button', id: 'camera', class: 'secondary', 'aria-pressed': camera ? 'true' : 'false', onclick: () => void onCamera() }, t(camera ? 'scan.stop' : 'scan.camera')),
          h('button', { type: 'button', id: 'photo-button', class: 'secondary', onclick: () => photo.click() }, t('scan.photo')),
          photo,
        ),
        h('div', { class: camera ? 'camera-box' : 'camera-box hidden' }, video),
        scanMessage ? h('p', { class: scanMessage.error ? 'error' : 'muted', role: scanMessage.error ? 'alert' : 'status', id: 'scan-status' }, t(scanMessage.key, scanMessage.vars)) : null,
      ),
      h('p', { id: 'progress', role: 'status', class: 'muted' }, progressText()),
      result,
    ),
    h('footer', { class: 'muted small' }, network ? t('app.servedBy', { name: network.participantName }) : ''),
  );
  video.setAttribute('aria-label', t('scan.video'));
  if (focused && document.activeElement?.id !== focused) document.getElementById(focused)?.focus();
}

renderPage();
const initial = codeFromUrl();
if (initial) {
  input.value = initial;
  void verify(initial);
} else {
  void getNetwork().then(renderPage, () => undefined);
  input.focus();
}
