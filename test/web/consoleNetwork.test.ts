// The participant console's network half against the running demo: shipment
// notices with each line's pedigree checks (and the same evidence verified in
// the browser), receiving at the dock, reconciliation, a recall issued from the
// console with the e-signature and followed live, KPIs as charts, the audit
// trail and the ledger with its anchors. Own data: a lot WN… of the demo
// product, three units of it shipped to the distributor through the API.
import { Contract, JsonRpcProvider } from 'ethers';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECALL_BOARD_ABI, toDigitalLink } from '../../sdk';
import { adminApi, demo, launchBrowser, makerLot, newContext, screenshot, watchErrors, webSkip, type Width } from './browser';
import type { DemoCompany } from './demoState';
import { auditView } from '../../web/console/views/audit';
import { kpisView } from '../../web/console/views/kpis';
import { ledgerView } from '../../web/console/views/ledger';
import { noticesView } from '../../web/console/views/notices';
import { recallsView } from '../../web/console/views/recalls';
import { reconciliationView } from '../../web/console/views/reconciliation';

interface Shipped {
  gtin: string;
  lot: string;
  serials: string[];
  shipmentId: number;
  noticeId: number;
  ledgerSeq: number;
}

async function signIn(page: Page, company: DemoCompany): Promise<void> {
  await page.goto(`${company.url}/console/`);
  await page.getByLabel('Username').fill(demo().admin.username);
  await page.getByLabel('Password').fill(demo().admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('nav').waitFor();
}

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** A lot of our own at the maker, three units of it sold and shipped to the distributor, the notice arrived there. */
async function shipOwnLot(): Promise<Shipped> {
  const state = demo();
  const lot = `WN${Date.now().toString(36).toUpperCase()}`;
  // A later expiry than the demo lot: FEFO allocations of other tests take the demo lot first.
  const expiry = new Date(Date.parse(`${state.expiry}T00:00:00Z`) + 60 * 86_400_000).toISOString().slice(0, 10);
  const made = await makerLot({ lot, serials: 6, expiry });
  const maker = await adminApi(state.companies.maker);
  const partners = await maker.get<{ items: { id: number; participant: string | null; isCustomer: boolean }[] }>('/api/v1/partners?limit=100');
  const customer = partners.items.find((p) => p.isCustomer && p.participant === state.companies.distributor.participant);
  if (!customer) throw new Error('the demo maker has no partner for the distributor');
  const order = await maker.post<{ id: number }>('/api/v1/orders', { customerId: customer.id, currency: 'EUR', lines: [{ gtin: made.gtin, lot, quantity: 3, unitPrice: '12.50' }] });
  const allocation = await maker.post<{ lines: { allocated: { lot: string; serial: string }[] }[] }>(`/api/v1/orders/${order.id}/allocations`);
  const units = allocation.lines.flatMap((l) => l.allocated);
  expect(units.map((u) => u.lot)).toEqual([lot, lot, lot]);
  for (const u of units) await maker.post(`/api/v1/orders/${order.id}/picks`, { scan: toDigitalLink({ gtin: made.gtin, lot, serial: u.serial }) });
  const { shipment } = await maker.post<{ shipment: { id: number } }>(`/api/v1/orders/${order.id}/shipments`, {});
  const distributor = await adminApi(state.companies.distributor);
  const notice = await until(async () => {
    const page = await distributor.get<{ items: { id: number; senderShipmentId: number }[] }>(`/api/v1/notices?sender=${state.companies.maker.participant}`);
    return page.items.find((n) => n.senderShipmentId === shipment.id);
  }, `the notice of shipment ${shipment.id} at the distributor`);
  return { gtin: made.gtin, lot, serials: units.map((u) => u.serial), shipmentId: shipment.id, noticeId: notice.id, ledgerSeq: made.ledgerSeq };
}

describe("the console's network views: words", () => {
  it('have the same keys in English and Chinese, none empty, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const view of [noticesView, reconciliationView, recallsView, kpisView, auditView, ledgerView]) {
      const { en, zh } = view.messages;
      expect(Object.keys(zh).sort(), view.id).toEqual(Object.keys(en).sort());
      expect(en[view.title], view.id).toBeDefined();
      for (const key of Object.keys(en)) {
        expect(en[key].trim(), key).not.toBe('');
        expect(zh[key].trim(), key).not.toBe('');
        expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
      }
    }
  });
});

describe.skipIf(webSkip())('the participant console: notices, reconciliation, recalls, KPIs, audit trail, ledger', () => {
  let browser: Browser;
  let own: Shipped;

  beforeAll(async () => {
    browser = await launchBrowser();
    own = await shipOwnLot();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A signed-in page of `company` at a width; errors collected. */
  async function consolePage(company: DemoCompany, width: Width = 'desktop'): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
    const context = await newContext(browser, width);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, company);
    return { page, errors, close: () => context.close() };
  }

  /** The route shot at phone width too (desktop is shot by the test itself). */
  async function shootPhone(company: DemoCompany, route: string, name: string, ready: string): Promise<void> {
    const phone = await consolePage(company, 'phone');
    await phone.page.goto(`${company.url}/console/#/${route}`);
    await phone.page.locator(ready).first().waitFor();
    await screenshot(phone.page, name, 'phone');
    expect(phone.errors).toEqual([]);
    await phone.close();
  }

  it("shows the demo's notice at the distributor with every line's pedigree checks ok, verified again in the browser", async () => {
    const { companies, lot } = demo();
    const distributor = await adminApi(companies.distributor);
    const notices = await distributor.get<{ items: { id: number; senderShipmentId: number }[] }>(`/api/v1/notices?sender=${companies.maker.participant}`);
    const details = await Promise.all(notices.items.map((n) => distributor.get<{ id: number; lines: { lot: string }[] }>(`/api/v1/notices/${n.id}`)));
    const demoNotice = details.find((n) => n.lines.every((l) => l.lot === lot))!;
    expect(demoNotice).toBeDefined();

    const { page, errors, close } = await consolePage(companies.distributor);
    await page.getByRole('link', { name: 'Notices & receipts', exact: true }).click();
    const listRow = page.locator(`tr[data-notice="${demoNotice.id}"]`);
    await listRow.waitFor();
    await expect(listRow.locator('.badge').textContent()).resolves.toBe('verified');
    await screenshot(page, 'console-notices', 'desktop');

    await listRow.getByRole('link').click();
    await page.locator('[data-testid="notice"]').waitFor();
    await expect(page.locator('[data-testid="node-verdict"]').textContent()).resolves.toContain('verified every line');
    const lines = page.locator('[data-testid="notice-lines"] tbody tr');
    const count = await lines.count();
    expect(count).toBe(demoNotice.lines.length);
    // The node's verdict per line, and each of its checks passed.
    expect(await page.locator('[data-testid="node-check"] [data-verdict="ok"]').count()).toBe(count);
    expect(await page.locator('[data-testid="node-check"] [data-verdict="blocked"]').count()).toBe(0);
    await lines.first().locator('summary').click();
    const checks = lines.first().locator('.checks li');
    expect(await checks.count()).toBe(8);
    expect(await lines.first().locator('.checks li[data-result="pass"]').count()).toBe(8);
    // The browser's own verification of the evidence that came with each unit.
    const summary = page.locator('[data-testid="bv-summary"][data-done="true"]');
    await summary.waitFor({ timeout: 60_000 });
    await expect(summary.getAttribute('data-ok')).resolves.toBe(String(count));
    await expect(summary.getAttribute('data-failed')).resolves.toBe('0');
    expect(await page.locator('[data-testid="browser-check"][data-result="ok"]').count()).toBe(count);
    await expect(page.locator('[data-testid="browser-check"]').first().textContent()).resolves.toMatch(/verified in this browser \(\d+ proofs\)/);
    await screenshot(page, 'console-notice', 'desktop');
    expect(errors).toEqual([]);
    await close();
    await shootPhone(companies.distributor, 'notices', 'console-notices', 'tr[data-notice]');
    await shootPhone(companies.distributor, `notices/${demoNotice.id}`, 'console-notice', '[data-testid="bv-summary"][data-done="true"]');
  });

  it('receives our shipment at the dock by scans: two units booked, the missing one goes to reconciliation and is resolved there', async () => {
    const { companies } = demo();
    const { page, errors, close } = await consolePage(companies.distributor);
    await page.goto(`${companies.distributor.url}/console/#/notices/${own.noticeId}`);
    await page.locator('[data-testid="receipt-form"]').waitFor();
    // Nothing received yet: the node's checks are ok, the browser has no received evidence to check.
    expect(await page.locator('[data-testid="node-check"] [data-verdict="ok"]').count()).toBe(3);
    await page.locator('[data-testid="bv-summary"][data-done="true"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="browser-check"][data-result="not-received"]').count()).toBe(3);

    const scans = own.serials.slice(0, 2).map((serial) => toDigitalLink({ gtin: own.gtin, lot: own.lot, serial }));
    await page.getByLabel('Scanned codes, one per line').fill(scans.join('\n') + '\n');
    await page.getByLabel(/The delivery is complete/).check();
    await page.getByRole('button', { name: 'Record the receipt' }).click();
    const result = page.locator('[data-testid="receipt-lines"]');
    await result.waitFor();
    expect(await result.locator('tr[data-outcome="booked"]').count()).toBe(2);
    const missing = result.locator('tr[data-outcome="not-received"]');
    expect(await missing.count()).toBe(1);
    await expect(missing.textContent()).resolves.toContain(own.serials[2]);
    await expect(missing.textContent()).resolves.toContain('listed in the notice, never received');
    // Received now: the evidence of the two booked units verifies in the browser.
    await page.locator('[data-testid="bv-summary"][data-done="true"][data-ok="2"]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'console-receipt', 'desktop');

    await page.getByRole('link', { name: 'Open the reconciliation of this shipment' }).click();
    const item = page.locator('[data-testid="recon-items"] tr[data-status="open"]').filter({ hasText: own.serials[2] });
    await item.waitFor();
    await expect(page.locator('[data-testid="recon-by-shipment"]').textContent()).resolves.toMatch(/we received\s*3\s*2\s*1\s*0/);
    await item.getByRole('button', { name: /Resolve item/ }).click();
    await page.getByLabel('Resolution').fill('credit-note');
    await page.getByLabel('Note (optional)').fill('unit never arrived; credited by the maker');
    await page.getByRole('button', { name: 'Resolve the item' }).click();
    const resolved = page.locator('[data-testid="recon-items"] tr[data-status="resolved"]').filter({ hasText: own.serials[2] });
    await resolved.waitFor();
    await expect(resolved.textContent()).resolves.toContain('credit-note by admin');
    await expect(page.getByTestId('status').textContent()).resolves.toContain('resolved');
    await screenshot(page, 'console-reconciliation', 'desktop');
    expect(errors).toEqual([]);
    await close();
    await shootPhone(companies.distributor, 'reconciliation', 'console-reconciliation', '[data-testid="recon-items"] tr[data-item]');
  });

  it('issues a recall of our lot from the console with the e-signature; the chain holds it and the view follows the acknowledgements live', async () => {
    const state = demo();
    const { maker, distributor } = state.companies;
    const { page, errors, close } = await consolePage(maker);
    await page.getByRole('link', { name: 'Recalls', exact: true }).click();
    await page.getByTestId('issue-recall').click();
    await page.getByLabel('GTIN', { exact: true }).fill(own.gtin);
    await page.getByLabel('Lots, one per line').fill(own.lot);
    await page.getByRole('radio', { name: /^Class II:/ }).check();
    await page.getByLabel('Action', { exact: true }).selectOption('return');
    await page.getByLabel('Notice title').fill(`Seal defect, lot ${own.lot}`);
    await page.getByLabel(/Notice text/).fill('The sterile seal may open. Stop using the units, quarantine them and return them to Acme.');
    await screenshot(page, 'console-recall-new', 'desktop');
    await page.getByRole('button', { name: 'Sign and issue the recall' }).click();

    const dialog = page.getByTestId('esign-dialog');
    await dialog.waitFor();
    await expect(dialog.getByTestId('esign-meaning').textContent()).resolves.toBe('Recalled');
    await expect(dialog.textContent()).resolves.toContain(`Recall of GTIN ${own.gtin}, ${own.lot}: class II`);
    await dialog.getByLabel('Password').fill(state.admin.password);
    await dialog.getByRole('button', { name: 'Sign' }).click();

    await page.waitForURL(/#\/recalls\/\d+$/, { timeout: 60_000 });
    const id = Number(/#\/recalls\/(\d+)$/.exec(page.url())![1]);
    const facts = page.getByTestId('recall-facts');
    await facts.waitFor();
    await expect(page.getByTestId('recall-status').first().getAttribute('data-status')).resolves.toBe('open');
    await expect(page.getByTestId('recall-lots').textContent()).resolves.toBe(own.lot);

    // The RecallBoard itself, read with ethers.
    const provider = new JsonRpcProvider(state.chain.rpcUrl, undefined, { staticNetwork: true });
    try {
      const board = new Contract(state.chain.recallBoard, RECALL_BOARD_ABI, provider);
      const onChain = await board.getRecall(id);
      expect(onChain.gtin14).toBe(own.gtin);
      expect([...onChain.lots]).toEqual([own.lot]);
      expect(Number(onChain.recallClass)).toBe(2);
      expect(Number(onChain.action)).toBe(1);
      expect(Number(onChain.status)).toBe(1);
      expect(onChain.issuer.toLowerCase()).toBe(maker.participant);

      // The browser read the same from the chain.
      await page.locator('[data-testid="chain-recall"] [data-chain-status="open"]').waitFor();
      // The maker's own row: the 3 units still here held in quarantine.
      const ownRow = page.locator(`[data-testid="recall-companies"] tr[data-company="${maker.participant}"]`);
      await ownRow.waitFor({ timeout: 30_000 });
      await expect(ownRow.locator('[data-col="quarantined"]').textContent()).resolves.toBe('3');
      // Live: the distributor's acknowledgement arrives while the page is open, without a reload.
      const theirs = page.locator(`[data-testid="recall-companies"] tr[data-company="${distributor.participant}"]`);
      await theirs.waitFor({ timeout: 90_000 });
      await expect(theirs.locator('[data-col="quarantined"]').textContent()).resolves.toBe('2');
      await expect(theirs.textContent()).resolves.toContain(distributor.name);
      await expect(theirs.locator('[data-col="tta"]').textContent()).resolves.toMatch(/\d/);
      // Once the distributor has answered, nothing of the lot is left in the field unacknowledged.
      await page.locator('[data-testid="reach-state"][data-complete="true"]').waitFor({ timeout: 60_000 });
      await expect(page.getByTestId('total-companies').locator('.n').textContent()).resolves.toBe('2');
      await expect(page.getByTestId('total-quarantined').locator('.n').textContent()).resolves.toBe('5');
      await expect(page.getByTestId('recall-notice').getAttribute('href')).resolves.toMatch(/^http.*\/public\/v1\/recalls\/\d+\/notice$/);
      await screenshot(page, 'console-recall', 'desktop');

      // The view polls while open…
      const recallRequests: string[] = [];
      page.on('request', (req) => {
        if (new URL(req.url()).pathname === `/api/v1/recalls/${id}`) recallRequests.push(req.url());
      });
      const before = Number(await page.getByTestId('live').getAttribute('data-updated'));
      await page.waitForFunction((t) => Number(document.querySelector('[data-testid="live"]')?.getAttribute('data-updated')) > t, before, { timeout: 10_000 });
      expect(recallRequests.length).toBeGreaterThan(0);

      // …and closing the recall updates the board.
      await page.getByLabel('New status').selectOption('closed');
      await page.getByLabel('Reason (audit trail, required)').fill('all units located and returned');
      await page.getByRole('button', { name: 'Update on the chain' }).click();
      await page.locator('[data-testid="recall-status"][data-status="closed"]').first().waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="chain-recall"] [data-chain-status="closed"]').waitFor({ timeout: 30_000 });
      expect(Number((await board.getRecall(id)).status)).toBe(2);

      // Leaving the view stops the polling: no request for the recall over three poll intervals.
      await page.getByRole('link', { name: 'Recalls', exact: true }).click();
      await page.locator(`[data-testid="recalls"] tr[data-recall="${id}"]`).waitFor();
      const seen = recallRequests.length;
      await page.waitForTimeout(4_500); // a window to observe that nothing happens, not a synchronisation
      expect(recallRequests.length).toBe(seen);
      await screenshot(page, 'console-recalls', 'desktop');
    } finally {
      provider.destroy();
    }
    expect(errors).toEqual([]);
    await close();
    await shootPhone(maker, 'recalls', 'console-recalls', '[data-testid="recalls"] tr[data-recall]');
    await shootPhone(maker, `recalls/${id}`, 'console-recall', `[data-testid="recall-companies"] tr[data-company="${distributor.participant}"]`);
    await shootPhone(maker, 'recalls/new', 'console-recall-new', '[data-testid="recall-form"]');
  });

  it('refuses a recall form with a bad GTIN before asking for a signature, naming the field and the rule', async () => {
    const { page, errors, close } = await consolePage(demo().companies.maker);
    await page.goto(`${demo().companies.maker.url}/console/#/recalls/new`);
    await page.getByLabel('GTIN', { exact: true }).fill('00614141000013');
    await page.getByLabel('Lots, one per line').fill('ANY');
    await page.getByRole('button', { name: 'Sign and issue the recall' }).click();
    await expect(page.getByTestId('alert').textContent()).resolves.toMatch(/^GTIN: .*check digit/);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('recall-gtin');
    expect(await page.getByTestId('esign-dialog').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('draws the KPIs as SVG charts, each with its data as a table', async () => {
    const { maker } = demo().companies;
    const { page, errors, close } = await consolePage(maker);
    await page.getByRole('link', { name: 'KPIs', exact: true }).click();
    await page.getByTestId('kpis').waitFor();
    const charts = page.locator('figure.chart');
    expect(await charts.count()).toBeGreaterThanOrEqual(6);
    const lotStatus = page.getByTestId('chart-lot-status');
    expect(await lotStatus.locator('svg rect.chart-bar').count()).toBeGreaterThan(0);
    expect(await lotStatus.locator('svg').getAttribute('aria-hidden')).toBe('true');
    // The table alternative: present for screen readers, shown on request.
    const table = lotStatus.locator('table[data-testid="chart-table"]');
    await expect(table.locator('tbody tr').count()).resolves.toBeGreaterThan(0);
    await expect(table.textContent()).resolves.toContain('released');
    const hidden = lotStatus.locator('.chart-data');
    await expect(hidden.getAttribute('class')).resolves.toContain('visually-hidden');
    await lotStatus.getByRole('button', { name: 'Show the data as a table' }).click();
    await expect(hidden.getAttribute('class')).resolves.not.toContain('visually-hidden');
    await expect(table.isVisible()).resolves.toBe(true);
    expect(await page.getByTestId('chart-expiring').locator('svg polyline.chart-line').count()).toBe(1);
    for (const chart of await charts.all()) expect(await chart.locator('table[data-testid="chart-table"]').count()).toBe(1);
    await screenshot(page, 'console-kpis', 'desktop');
    expect(errors).toEqual([]);
    await close();
    await shootPhone(maker, 'kpis', 'console-kpis', '[data-testid="kpis"]');
  });

  it('lists the release of our lot in the audit trail with its e-signature, and the hash chain verifies', async () => {
    const { maker } = demo().companies;
    const { page, errors, close } = await consolePage(maker);
    await page.getByRole('link', { name: 'Audit trail', exact: true }).click();
    await page.getByLabel('Action', { exact: true }).fill('lot.release');
    await page.getByLabel('Record id').fill(`${own.gtin}/${own.lot}`);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = page.locator('[data-testid="audit-entries"] tr[data-action="lot.release"]');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    await expect(row.textContent()).resolves.toContain(`${own.gtin}/${own.lot}`);
    await row.locator('summary').click();
    await expect(row.locator('pre').last().textContent()).resolves.toContain('released');
    await page.getByTestId('audit-verify-button').click();
    await page.locator('[data-testid="audit-verify"] [data-valid="true"]').waitFor();
    await screenshot(page, 'console-audit', 'desktop');

    await page.goto(`${maker.url}/console/#/audit?entity=recall`);
    await page.locator('[data-testid="audit-entries"] tr[data-action="recall.issue"]').first().waitFor();
    expect(errors).toEqual([]);
    await close();
    await shootPhone(maker, 'audit', 'console-audit', '[data-testid="audit-entries"] tr[data-audit]');
  });

  it('lists the anchored batches with their transactions, compares their roots with the chain and verifies an event in the browser', async () => {
    const { maker } = demo().companies;
    const api = await adminApi(maker);
    await until(() => api.get(`/audit/v1/events/${own.ledgerSeq}`).then(() => true), `event ${own.ledgerSeq} anchored`);
    const { page, errors, close } = await consolePage(maker);
    await page.getByRole('link', { name: 'Ledger & anchors', exact: true }).click();
    const batches = page.locator('[data-testid="anchors"] tr[data-batch]');
    await batches.first().waitFor();
    expect(await batches.count()).toBeGreaterThan(0);
    // No explorer in the demo: the transaction hash and the block are shown.
    await expect(batches.first().locator('[data-testid="tx"]').textContent()).resolves.toMatch(/0x[0-9a-f]{64} · block \d+/);
    await page.getByTestId('check-roots').click();
    await page.locator('[data-testid="chain-root"][data-result]').first().waitFor();
    expect(await page.locator('[data-testid="chain-root"][data-result="ok"]').count()).toBe(await batches.count());

    // Our lot's commissioning event, verified here with the SDK against the chain.
    const row = page.locator(`[data-testid="ledger-events"] tr[data-seq="${own.ledgerSeq}"]`);
    while ((await row.count()) === 0) await page.locator('.pager').last().getByRole('button', { name: 'Load more' }).click();
    await row.getByRole('button', { name: `Verify event ${own.ledgerSeq} in this browser` }).click();
    const result = row.getByTestId('event-verification');
    await result.locator('.badge').waitFor({ timeout: 30_000 });
    await expect(result.getAttribute('data-result')).resolves.toBe('ok');
    await expect(result.textContent()).resolves.toMatch(new RegExp(`verified in this browser against chain ${demo().chain.chainId}, batch \\d+, block \\d+`));
    await screenshot(page, 'console-ledger', 'desktop');
    expect(errors).toEqual([]);
    await close();
    await shootPhone(maker, 'ledger', 'console-ledger', '[data-testid="anchors"] tr[data-batch]');
  });
});
