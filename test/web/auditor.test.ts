// The auditor console against the running demo: a token issued through the
// maker's API connects and shows the maker as the chain registry has it; the
// whole ledger verifies in the browser; the demo's saved bundle verifies and a
// tampered copy is refused with the SDK's code; the verification report renders,
// is cross-checked on chain and prints as a document; the EPCIS export downloads;
// a token without a scope, a revoked one and a malformed one are refused in the
// node's (or the console's) own words. Screenshots of each state at both widths.
import fs from 'node:fs';
import { Contract, getAddress, JsonRpcProvider } from 'ethers';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_ABI, verifyBundleOffline, isMedtraceError } from '../../sdk';
import { auditorMessages } from '../../web/auditor/messages';
import { adminApi, demo, launchBrowser, newContext, screenshot, watchErrors, webSkip, type Width } from './browser';

const WIDTHS: Width[] = ['phone', 'desktop'];
const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

interface Tokens {
  full: string;
  ledgerOnly: string;
  revoked: string;
}

let browser: Browser;
let tokens: Tokens;
let registryName: string;

async function issue(scopes: string[], auditor: string): Promise<{ id: number; token: string }> {
  const api = await adminApi(demo().companies.maker);
  return api.post('/api/v1/auditor-tokens', { auditor, scopes, expiresInHours: 2, reason: 'auditor console browser test' });
}

/** Opens the console (of `consoleUrl`, the maker by default) and connects to `nodeUrl` with `token`. */
async function connectConsole(page: Page, token: string, options: { consoleUrl?: string; nodeUrl?: string } = {}): Promise<void> {
  await page.goto(`${options.consoleUrl ?? demo().companies.maker.url}/auditor/`);
  if (options.nodeUrl) await page.getByLabel('Node URL').fill(options.nodeUrl);
  await page.getByLabel('Auditor token').fill(token);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

async function count(page: Page, key: string): Promise<number> {
  return Number((await page.getByTestId(`ledger-${key}`).locator('.count-value').textContent())!.replace(/[^\d]/g, ''));
}

/** Chromium reports every refused request as a console error; a refusal test expects exactly those. */
const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403|409)/.test(e));

describe.skipIf(webSkip())('the auditor console', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
    const full = await issue(['ledger', 'report', 'export'], 'Auditor console test (full)');
    const ledgerOnly = await issue(['ledger'], 'Auditor console test (ledger only)');
    const revoked = await issue(['ledger', 'report'], 'Auditor console test (revoked)');
    const api = await adminApi(demo().companies.maker);
    await api.post(`/api/v1/auditor-tokens/${revoked.id}/revoke`, { reason: 'the browser test revokes it' });
    tokens = { full: full.token, ledgerOnly: ledgerOnly.token, revoked: revoked.token };
    const provider = new JsonRpcProvider(demo().chain.rpcUrl, undefined, { staticNetwork: true });
    try {
      registryName = String((await new Contract(demo().chain.registry, REGISTRY_ABI, provider).getParticipant(demo().companies.maker.participant)).name);
    } finally {
      provider.destroy();
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('has the same keys in English and Chinese', () => {
    expect(Object.keys(auditorMessages.zh).sort()).toEqual(Object.keys(auditorMessages.en).sort());
    for (const [key, text] of Object.entries(auditorMessages.zh)) expect(text, key).not.toBe('');
  });

  for (const width of WIDTHS) {
    it(`connects with an auditor token and shows the node as the chain registry has it (${width})`, async () => {
      const context = await newContext(browser, width);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${demo().companies.maker.url}/auditor/`);
      await expect(page.getByLabel('Node URL').inputValue()).resolves.toBe(demo().companies.maker.url);
      await screenshot(page, 'auditor-connect', width);
      await connectConsole(page, tokens.full);
      const identity = page.getByTestId('identity');
      await identity.waitFor();
      await expect(page.getByTestId('chain-name').textContent()).resolves.toBe(registryName);
      await expect(identity.textContent()).resolves.toContain(getAddress(demo().companies.maker.participant));
      await expect(page.getByTestId('chain-status').textContent()).resolves.toBe('active');
      // Every agreement between chain, node and token holds: the token's key is the registered one and its signature verifies.
      const checks = page.getByTestId('identity-checks').locator('li');
      expect(await checks.count()).toBeGreaterThanOrEqual(5);
      await expect(page.getByTestId('identity-checks').locator('.badge.bad').count()).resolves.toBe(0);
      await expect(page.getByTestId('identity-checks').locator('.badge.warn').count()).resolves.toBe(0);
      await screenshot(page, 'auditor-identity', width);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  for (const width of WIDTHS) {
    it(`verifies every event of the ledger in the browser: all verified, none refused (${width})`, async () => {
      const context = await newContext(browser, width);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await connectConsole(page, tokens.full);
      await page.getByTestId('identity').waitFor();
      await page.getByRole('link', { name: 'Ledger' }).click();
      await page.getByRole('button', { name: 'Verify the whole ledger' }).click();
      await page.getByTestId('ledger-verdict').waitFor({ timeout: 90_000 });
      const events = await count(page, 'events');
      const verified = await count(page, 'verified');
      const unanchored = await count(page, 'unanchored');
      expect(events).toBeGreaterThan(0);
      expect(verified).toBeGreaterThan(0);
      expect(await count(page, 'refused')).toBe(0);
      // Events recorded by other test files just now may not be anchored yet; everything else verified.
      expect(verified + unanchored).toBe(events);
      expect(await count(page, 'batches')).toBeGreaterThan(0);
      await expect(page.locator('tr[data-status="ok"]').count()).resolves.toBe(verified);
      const progress = page.locator('#ledger-progress');
      await expect(progress.evaluate((p: HTMLProgressElement) => p.value === p.max)).resolves.toBe(true);
      await expect(page.getByTestId('ledger-verdict').textContent()).resolves.toContain(`${verified} of ${events} events verified, 0 refused`);
      await screenshot(page, 'auditor-ledger', width);
      expect(unexpected(errors)).toEqual([]);
      await context.close();
    }, 120_000);
  }

  it('refuses, row by row with the SDK code, ledger events whose bundles the node altered or swapped', async () => {
    const context = await newContext(browser, 'desktop');
    const page = await context.newPage();
    const errors = watchErrors(page);
    const maker = demo().companies.maker.url;
    const original = async (seq: number) =>
      (await (await fetch(`${maker}/audit/v1/events/${seq}`, { headers: { authorization: `Bearer ${tokens.full}` } })).json()) as { status: string; bundle: any };
    // Seq 1: the event's time changed after anchoring. Seq 2: the node answers with seq 3's (valid) proof.
    const altered = await original(1);
    altered.bundle.envelope.event.eventTime = '2020-01-01T00:00:00.000Z';
    const alteredCode = codeOf(JSON.stringify(altered.bundle));
    const swapped = await original(3);
    await page.route(/\/audit\/v1\/events\/1$/, (route) => route.fulfill({ json: altered, headers: { 'access-control-allow-origin': '*' } }));
    await page.route(/\/audit\/v1\/events\/2$/, (route) => route.fulfill({ json: swapped, headers: { 'access-control-allow-origin': '*' } }));
    await connectConsole(page, tokens.full);
    await page.getByTestId('identity').waitFor();
    await page.getByRole('link', { name: 'Ledger' }).click();
    await page.getByRole('button', { name: 'Verify the whole ledger' }).click();
    await page.getByTestId('ledger-verdict').waitFor({ timeout: 90_000 });
    expect(await count(page, 'refused')).toBe(2);
    const events = await count(page, 'events');
    expect((await count(page, 'verified')) + (await count(page, 'unanchored'))).toBe(events - 2);
    await expect(page.locator('tr[data-seq="1"]').getAttribute('data-status')).resolves.toBe('refused');
    await expect(page.locator('tr[data-seq="1"] [data-testid="row-code"]').textContent()).resolves.toBe(alteredCode);
    await expect(page.locator('tr[data-seq="2"] [data-testid="row-code"]').textContent()).resolves.toBe('WRONG_EVENT');
    await expect(page.locator('tr[data-seq="2"]').textContent()).resolves.toContain('The node answered with the proof of another event.');
    await expect(page.locator('tr[data-seq="2"]').textContent()).resolves.toContain('answered with the proof of seq 3');
    await expect(page.locator('tr[data-seq="1"]').textContent()).resolves.toContain(auditorMessages.en[`code.${alteredCode}` as keyof typeof auditorMessages.en]);
    await expect(page.getByTestId('ledger-verdict').getAttribute('class')).resolves.toContain('bad');
    await screenshot(page, 'auditor-ledger-refused', 'desktop');
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  }, 120_000);

  for (const width of WIDTHS) {
    it(`opens the demo's saved bundle file and verifies it against the chain, no token needed (${width})`, async () => {
      const bundle = JSON.parse(fs.readFileSync(demo().bundleFile, 'utf8'));
      const context = await newContext(browser, width);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${demo().companies.maker.url}/auditor/#/bundle`);
      await page.getByLabel('Bundle file (.json)').setInputFiles(demo().bundleFile);
      const verified = page.getByTestId('bundle-verified');
      await verified.waitFor();
      await expect(page.getByTestId('bundle-seq').textContent()).resolves.toBe(String(bundle.envelope.seq));
      await expect(page.getByTestId('bundle-participant').textContent()).resolves.toBe(registryName);
      const text = (await verified.textContent())!;
      expect(text).toContain(`Verified against chain ${demo().chain.chainId} at block ${bundle.anchor.blockNumber}`);
      expect(text).toContain(bundle.anchor.root);
      expect(text).toContain(bundle.anchor.txHash);
      expect(text).toContain(bundle.units[0].uri);
      await screenshot(page, 'auditor-bundle-verified', width);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  for (const width of WIDTHS) {
    it(`refuses a tampered bundle visibly, with the SDK's code (${width})`, async () => {
      const original = fs.readFileSync(demo().bundleFile, 'utf8');
      // One hex character of the batch root changed.
      const bundle = JSON.parse(original);
      const root: string = bundle.anchor.root;
      bundle.anchor.root = `${root.slice(0, -1)}${root.endsWith('0') ? '1' : '0'}`;
      const tampered = JSON.stringify(bundle, null, 2);
      const expectedCode = codeOf(tampered);
      expect(expectedCode).toBe('INCLUSION_FAILED');

      const context = await newContext(browser, width);
      const page = await context.newPage();
      await page.goto(`${demo().companies.maker.url}/auditor/#/bundle`);
      await page.getByLabel('Bundle file (.json)').setInputFiles({ name: 'tampered-root.json', mimeType: 'application/json', buffer: Buffer.from(tampered) });
      const refused = page.getByTestId('bundle-refused');
      await refused.waitFor();
      await expect(refused.getAttribute('role')).resolves.toBe('alert');
      await expect(refused.locator('[data-code]').getAttribute('data-code')).resolves.toBe(expectedCode);
      await expect(refused.textContent()).resolves.toContain('Refused: this bundle does not prove its event');
      await expect(refused.textContent()).resolves.toContain('not proven to be in the anchored batch');
      await expect(page.getByTestId('bundle-verified').count()).resolves.toBe(0);
      await screenshot(page, 'auditor-bundle-tampered', width);

      // A unit's serial changed by one character, dropped onto the page: that unit is not in the event.
      const other = JSON.parse(original);
      other.units[0].uri = other.units[0].uri.replace(/.$/, (c: string) => (c === '1' ? '2' : '1'));
      const unitText = JSON.stringify(other);
      const unitCode = codeOf(unitText);
      await page.getByTestId('dropzone').evaluate((zone, text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], 'tampered-unit.json', { type: 'application/json' }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, unitText);
      await page.locator(`[data-testid="bundle-refused"] [data-code="${unitCode}"]`).waitFor();
      await expect(page.getByTestId('bundle-result').textContent()).resolves.toContain('tampered-unit.json');

      // Pasted JSON that is not JSON at all.
      await page.getByLabel('Or paste the bundle JSON').fill('{ "version": 1, ');
      await page.getByRole('button', { name: 'Verify the pasted JSON' }).click();
      await page.locator('[data-testid="bundle-refused"] [data-code="BUNDLE_MALFORMED"]').waitFor();
      await context.close();
    });
  }

  for (const width of WIDTHS) {
    it(`renders the verification report with counts and batches checked on chain, and prints it as a document (${width})`, async () => {
      const context = await newContext(browser, width);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await connectConsole(page, tokens.full);
      await page.getByTestId('identity').waitFor();
      await page.getByRole('link', { name: 'Verification report' }).click();
      await page.getByRole('button', { name: 'Run the verification report' }).click();
      const doc = page.getByTestId('report-doc');
      await page.getByTestId('report-batches').waitFor({ timeout: 60_000 });
      await expect(doc.getByRole('heading', { name: 'Ledger verification report' }).isVisible()).resolves.toBe(true);
      await expect(page.getByTestId('report-verdict').textContent()).resolves.toContain('No anomaly');
      const counts = (await page.getByTestId('report-counts').textContent())!;
      expect(counts).toMatch(/Events\s*[1-9]/);
      expect(counts).toContain('Batches on chain');
      const rows = page.locator('[data-testid="report-batches"] tbody tr');
      const batches = await rows.count();
      expect(batches).toBeGreaterThan(0);
      // Every batch was read from AnchorLog here and agrees with the node's record (one anchored after the report,
      // by another test file's activity, may be read from chain only).
      await expect(page.locator('[data-testid="report-batches"] tbody tr[data-check="mismatch"], [data-testid="report-batches"] tbody tr[data-check="node-only"]').count()).resolves.toBe(0);
      const agreeing = await page.locator('[data-testid="report-batches"] tbody tr[data-check="ok"]').count();
      expect(agreeing).toBeGreaterThan(0);
      expect(agreeing + (await page.locator('[data-testid="report-batches"] tbody tr[data-check="chain-only"]').count())).toBe(batches);
      await expect(rows.first().textContent()).resolves.toContain('checked on chain in this browser');
      await expect(page.getByTestId('report-counts').locator('[data-checked="mismatch"]').count()).resolves.toBe(0);
      await expect(page.getByTestId('report-counts').locator('[data-checked="ok"]').count()).resolves.toBe(2);
      await expect(page.getByTestId('report-no-anomalies').isVisible()).resolves.toBe(true);
      await screenshot(page, 'auditor-report', width);

      await page.emulateMedia({ media: 'print' });
      await expect(page.getByTestId('report-print').isVisible()).resolves.toBe(false);
      await expect(page.getByTestId('report-run').isVisible()).resolves.toBe(false);
      await expect(page.locator('nav').isVisible()).resolves.toBe(false);
      await expect(page.locator('header').isVisible()).resolves.toBe(false);
      await expect(page.locator('#section-title').isVisible()).resolves.toBe(false);
      await expect(doc.isVisible()).resolves.toBe(true);
      await expect(doc.getByRole('heading', { name: 'Ledger verification report' }).isVisible()).resolves.toBe(true);
      await expect(page.getByTestId('report-batches').isVisible()).resolves.toBe(true);
      await screenshot(page, 'auditor-report-print', width);
      await page.emulateMedia({ media: 'screen' });
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
  }

  for (const width of WIDTHS) {
    it(`downloads the EPCIS export as a JSON-LD file and counts its events by type (${width})`, async () => {
      const context = await newContext(browser, width);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await connectConsole(page, tokens.full);
      await page.getByTestId('identity').waitFor();
      await page.getByRole('link', { name: 'EPCIS export' }).click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the EPCIS export' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^epcis-0x[0-9a-f]{8}-\d{4}-\d{2}-\d{2}\.jsonld$/);
      const doc = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
      expect(doc.type).toBe('EPCISDocument');
      expect(doc['@context']).toContain(EPCIS_CONTEXT);
      const events = doc.epcisBody.eventList as { type: string; bizStep?: string }[];
      expect(events.length).toBeGreaterThan(0);
      expect(doc['medtrace:range'].nextFromSeq).toBeNull();
      await page.getByTestId('export-result').waitFor();
      const objectEvents = events.filter((e) => e.type === 'ObjectEvent').length;
      expect(objectEvents).toBeGreaterThan(0);
      await expect(page.locator('table.tally tr[data-name="ObjectEvent"] td.num').first().textContent()).resolves.toBe(String(objectEvents));
      await expect(page.getByTestId('export-result').textContent()).resolves.toContain(`${events.length} events`);
      await page.locator('table.tally tr[data-name="commissioning"]').waitFor();
      await screenshot(page, 'auditor-export', width);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  for (const width of WIDTHS) {
    it(`shows the node's refusal of a token without the report scope (${width})`, async () => {
      const context = await newContext(browser, width);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await connectConsole(page, tokens.ledgerOnly);
      await page.getByTestId('identity').waitFor();
      await page.getByRole('link', { name: 'Verification report' }).click();
      await page.getByText('Your token does not claim the scope "report"').waitFor();
      await page.getByRole('button', { name: 'Run the verification report' }).click();
      const refused = page.getByTestId('report-refused');
      await refused.waitFor();
      await expect(refused.getAttribute('role')).resolves.toBe('alert');
      await expect(refused.locator('[data-code]').getAttribute('data-code')).resolves.toBe('auditor-scope');
      const text = (await refused.textContent())!;
      expect(text).toContain('The token does not grant this: a scope is missing.');
      expect(text).toContain('HTTP 403');
      expect(text).toContain('this needs the auditor scope "report"; the token grants ledger');
      await screenshot(page, 'auditor-scope-missing', width);
      expect(unexpected(errors)).toEqual([]);
      await context.close();
    });
  }

  for (const width of WIDTHS) {
    it(`refuses a revoked token at connect in the node's words, and a malformed one before asking (${width})`, async () => {
      const context = await newContext(browser, width);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await connectConsole(page, tokens.revoked);
      const alert = page.getByTestId('connect-alert');
      await alert.locator('[data-code="auditor-token-revoked"]').waitFor();
      const text = (await alert.textContent())!;
      expect(text).toContain('The node refused this token');
      expect(text).toContain('The token was revoked by the participant.');
      expect(text).toContain('HTTP 401');
      await expect(page.getByTestId('identity').count()).resolves.toBe(0);
      await expect(page.getByLabel('Auditor token').getAttribute('aria-invalid')).resolves.toBe('true');
      await screenshot(page, 'auditor-token-revoked', width);

      await page.getByLabel('Auditor token').fill('not-a-token');
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await expect(alert.textContent()).resolves.toContain('Auditor token: this is not a token');
      expect(unexpected(errors)).toEqual([]);
      await context.close();
    });
  }

  it('audits the maker from the console served by another node (cross-origin)', async () => {
    const context = await newContext(browser, 'desktop');
    const page = await context.newPage();
    const errors = watchErrors(page);
    const { maker, distributor } = demo().companies;
    await connectConsole(page, tokens.full, { consoleUrl: distributor.url, nodeUrl: maker.url });
    await page.getByTestId('identity').waitFor();
    await expect(page.getByTestId('chain-name').textContent()).resolves.toBe(registryName);
    await expect(page.getByTestId('identity-checks').locator('.badge.bad').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Verification report' }).click();
    await page.getByRole('button', { name: 'Run the verification report' }).click();
    await page.getByTestId('report-batches').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('report-verdict').textContent()).resolves.toContain('No anomaly');
    await screenshot(page, 'auditor-cross-origin', 'desktop');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  for (const width of WIDTHS) {
    it(`speaks Chinese with ?lang=zh and switches language with the toggle, keeping the connection (${width})`, async () => {
      const context = await newContext(browser, width);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${demo().companies.maker.url}/auditor/?lang=zh`);
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
      await page.getByRole('heading', { name: auditorMessages.zh['connect.title'] }).waitFor();
      await page.getByLabel(auditorMessages.zh['connect.token']).fill(tokens.full);
      // Keyboard only: Enter in the form connects.
      await page.getByLabel(auditorMessages.zh['connect.node']).press('Enter');
      await page.getByTestId('identity').waitFor();
      await expect(page.getByRole('heading', { name: auditorMessages.zh['identity.title'] }).isVisible()).resolves.toBe(true);
      await screenshot(page, 'auditor-zh', width);
      await page.getByTestId('lang').click();
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
      await expect(page.getByRole('heading', { name: auditorMessages.en['identity.title'] }).isVisible()).resolves.toBe(true);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});

/** The code the SDK's own offline checks give a bundle (what the page must show). */
function codeOf(text: string): string {
  try {
    verifyBundleOffline(JSON.parse(text));
  } catch (err) {
    if (isMedtraceError(err)) return err.code;
    throw err;
  }
  throw new Error('the tampered bundle passes the offline checks');
}
