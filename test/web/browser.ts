// Chromium from Debian's packages driven by playwright-core (never a downloaded
// browser), the two widths every page is shot at, and small helpers to talk to
// the demo's nodes through their APIs when a test needs data of its own.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import type { DemoCompany, DemoState } from './demoState';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1366, height: 900 },
} as const;
export type Width = keyof typeof VIEWPORTS;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

/** A fresh browser context (its own storage) at a width, in a language. */
export function newContext(browser: Browser, width: Width = 'desktop', options: { locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: VIEWPORTS[width],
    deviceScaleFactor: 1,
    isMobile: width === 'phone',
    hasTouch: width === 'phone',
    locale: options.locale ?? 'en-US',
  });
}

/** Save a full-page screenshot as test-results/screenshots/<name>-<width>.png. */
export async function screenshot(page: Page, name: string, width: Width): Promise<string> {
  const file = path.join(inject('screenshotDir'), `${name}-${width}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The demo, or a reason to skip (describe.skipIf(webSkip())). */
export function demo(): DemoState {
  const state = inject('demo');
  if (!state) throw new Error(`no demo: ${inject('webSkip') ?? 'unknown reason'}`);
  return state;
}
export function webSkip(): boolean {
  return inject('webSkip') !== null;
}

/** Collects the page's console errors and failed requests, to assert a page ran clean. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

/** A signed-in API client of a demo company (admin), for test data of its own. */
export async function adminApi(company: DemoCompany, admin = demo().admin) {
  const res = await fetch(`${company.url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  if (!res.ok) throw new Error(`sign-in at ${company.url}: ${res.status} ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  const call = async <T = any>(method: string, p: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${company.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    token: accessToken,
    get: <T = any>(p: string) => call<T>('GET', p),
    post: <T = any>(p: string, body?: unknown) => call<T>('POST', p, body),
  };
}

/**
 * A new lot of the demo product at the maker, commissioned with `serials` units, given
 * a passing final inspection and (unless `release: false`) released with the admin's
 * e-signature. Returns the lot, its serials and the commissioning event's seq.
 */
export async function makerLot(options: { lot: string; serials?: number; release?: boolean; expiry?: string }): Promise<{ gtin: string; lot: string; serials: string[]; ledgerSeq: number }> {
  const state = demo();
  const api = await adminApi(state.companies.maker);
  const gtin = state.product.gtin;
  const today = new Date().toISOString().slice(0, 10);
  const commissioned = await api.post<{ ledgerSeq: number }>('/api/v1/lots', {
    gtin,
    lot: options.lot,
    productionDate: today,
    expiry: options.expiry ?? state.expiry,
    serialCount: options.serials ?? 5,
    serialPrefix: `${options.lot}-`,
  });
  const lotPath = `/api/v1/lots/${gtin}/${encodeURIComponent(options.lot)}`;
  await api.post(`${lotPath}/inspections`, { kind: 'final', result: 'pass', method: 'visual', reportSha256: `0x${'ab'.repeat(32)}` });
  if (options.release !== false) {
    await api.post(`${lotPath}/release`, { signature: { username: state.admin.username, password: state.admin.password, meaning: 'released' } });
  }
  const serials = (await api.get<{ items: string[] }>(`${lotPath}/serials?limit=500`)).items;
  return { gtin, lot: options.lot, serials, ledgerSeq: commissioned.ledgerSeq };
}
