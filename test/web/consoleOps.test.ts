// The participant console's operations views against the running demo (the
// maker's node): signing in, releasing a lot with the e-signature, picking an
// order by scan and shipping it, commissioning a lot with progress, the expiry
// view, a bulk import's row report; screenshots of each view at both widths.
// Every lot here is this file's own (prefix WO), never the demo's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { gtinCheckDigit, toDigitalLink, toElementString, toRawElementString } from '../../sdk';
import { importsView } from '../../web/console/views/imports';
import { lotsView } from '../../web/console/views/lots';
import { ordersView } from '../../web/console/views/orders';
import { stockView } from '../../web/console/views/stock';
import { adminApi, demo, launchBrowser, makerLot, newContext, screenshot, webSkip, type Width } from './browser';

const suffix = Date.now().toString(36).slice(-5).toUpperCase();
const isoDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Console errors that are not the node's refusals the tests ask for (a 4xx answer logs "Failed to load resource"). */
function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

async function signIn(page: Page, credentials = demo().admin): Promise<void> {
  await page.goto(`${demo().companies.maker.url}/console/`);
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
}

/** Goes to a hash route of the signed-in console and waits for the view to finish rendering (heading focused). */
async function open(page: Page, route: string): Promise<void> {
  // The shell draws a new #view per route and focuses its heading when the view has rendered.
  await page.evaluate((hash) => {
    document.getElementById('view')?.setAttribute('data-stale', '');
    location.hash = hash;
  }, route);
  await page.waitForFunction(() => {
    const view = document.getElementById('view');
    const focused = document.activeElement;
    return !!view && !view.hasAttribute('data-stale') && (focused?.tagName === 'H1' || focused?.id === 'pick-scan');
  });
}

/** A message key shown instead of its words: `lot.release.heading`, `ops.status.open`, … */
const UNTRANSLATED = /\b(ops|lots?|stock|orders?|pick|ship|imports|commission|meaning|common)\.[a-zA-Z]+/;

describe("the console's operations views: words", () => {
  it('have the same keys in English and Chinese, none empty, with the same placeholders', () => {
    const placeholders = (text: string) => Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1]).sort();
    for (const view of [lotsView, stockView, ordersView, importsView]) {
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

describe.skipIf(webSkip())('participant console: operations (lots, stock, orders, imports)', () => {
  let browser: Browser;
  let orderId: number | undefined;
  let releasedLot: string | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function page(width: Width = 'desktop'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await newContext(browser, width);
    const p = await context.newPage();
    return { context, page: p, errors: watchPageErrors(p) };
  }

  it('signs in with a staff account and refuses a wrong password', async () => {
    const { context, page: p, errors } = await page();
    await p.goto(`${demo().companies.maker.url}/console/`);
    await p.getByLabel('Username').fill(demo().admin.username);
    await p.getByLabel('Password').fill(`${demo().admin.password}-wrong`);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect(p.getByRole('alert').filter({ hasText: 'Sign-in failed' }).textContent()).resolves.toMatch(/Sign-in failed/);
    expect(await p.getByRole('navigation', { name: 'Sections' }).count()).toBe(0);

    await p.getByLabel('Password').fill(demo().admin.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    const nav = p.getByRole('navigation', { name: 'Sections' });
    await nav.waitFor();
    for (const name of ['Lots', 'Stock', 'Orders', 'Imports']) expect(await nav.getByRole('link', { name, exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('releases a lot with the e-signature: a wrong password is refused (signature-invalid) and the session stays; the right one releases it', async () => {
    // A QA user of its own: the refused attempt counts towards this user's signing lock, not the admin's.
    const admin = await adminApi(demo().companies.maker);
    const qa = { username: `wo-qa-${suffix.toLowerCase()}`, password: `release-${suffix}-pass` };
    await admin.post('/api/v1/users', { ...qa, roles: ['qa'], displayName: 'Console release test' });
    const lot = await makerLot({ lot: `WOREL${suffix}`, serials: 3, release: false });

    const { context, page: p, errors } = await page();
    await signIn(p, qa);
    // The lots list by status: quarantined lists it, released does not (yet).
    await open(p, '#/lots?status=quarantined');
    await p.getByTestId('lots-table').getByRole('link', { name: lot.lot, exact: true }).waitFor();
    await open(p, '#/lots?status=released');
    await p.getByTestId('lots-table').locator('p, table').first().waitFor();
    expect(await p.getByTestId('lots-table').getByRole('link', { name: lot.lot, exact: true }).count()).toBe(0);

    await open(p, `#/lots/${lot.gtin}/${lot.lot}`);
    await expect(p.getByTestId('lot-status').getAttribute('data-status')).resolves.toBe('quarantined');
    expect(await p.getByTestId('inspections-table').textContent()).toContain('visual');

    await p.getByTestId('release-button').click();
    const dialog = p.getByTestId('esign-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('esign-signer').textContent()).toBe(qa.username);
    expect(await dialog.getByTestId('esign-meaning').textContent()).toBe('Released');
    expect(await dialog.textContent()).toContain(lot.lot);
    await dialog.getByLabel('Password').fill('not-the-password');
    await dialog.getByRole('button', { name: 'Sign' }).click();
    const refusal = p.getByTestId('release-refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-problem')).toBe('signature-invalid');
    expect(await refusal.textContent()).toMatch(/Signature invalid.*credentials are wrong/);
    expect(await p.getByTestId('alert').textContent()).toContain('Signature invalid');
    // Still signed in, the lot still quarantined.
    expect(await p.getByRole('navigation', { name: 'Sections' }).count()).toBe(1);
    expect(await p.getByTestId('lot-status').getAttribute('data-status')).toBe('quarantined');

    await p.getByTestId('release-button').click();
    await dialog.waitFor();
    await dialog.getByLabel('Password').fill(qa.password);
    await dialog.getByRole('button', { name: 'Sign' }).click();
    await p.locator('[data-testid="lot-status"][data-status="released"]').waitFor();
    expect(await p.getByTestId('status').textContent()).toMatch(/released: releasing event seq \d+, signature #\d+/);
    expect(await p.getByTestId('history-table').textContent()).toContain(`${qa.username}, Released`);

    const fromNode = await admin.get<{ status: string; releaseSignatureId: number | null }>(`/api/v1/lots/${lot.gtin}/${lot.lot}`);
    expect(fromNode.status).toBe('released');
    expect(fromNode.releaseSignatureId).not.toBeNull();
    releasedLot = lot.lot;
    expect(errors).toEqual([]);
    await context.close();
  });

  it('records a failed inspection on the lot page (a nonconformance opens), and the release is then refused with the reason', async () => {
    const lot = await makerLot({ lot: `WONC${suffix}`, serials: 2, release: false });
    const { context, page: p, errors } = await page();
    await signIn(p);
    await open(p, `#/lots/${lot.gtin}/${lot.lot}`);
    await p.getByLabel('Kind').selectOption('final');
    await p.getByLabel('Method').fill('dimensional, 3 of 20 out of tolerance');
    await p.getByLabel('Fail').check();
    await p.getByRole('button', { name: 'Record inspection' }).click();
    await p.getByTestId('status').filter({ hasText: 'recorded as failed; nonconformance #' }).waitFor();
    const rows = p.getByTestId('inspections-table').locator('tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toMatch(/Final.*Fail.*dimensional, 3 of 20 out of tolerance.*#\d+/);

    await p.getByTestId('release-button').click();
    await p.getByTestId('esign-dialog').getByLabel('Password').fill(demo().admin.password);
    await p.getByTestId('esign-dialog').getByRole('button', { name: 'Sign' }).click();
    const refusal = p.getByTestId('release-refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-problem')).toBe('inspection-failed');
    expect(await refusal.textContent()).toContain(`the latest final inspection of lot ${lot.lot}`);
    expect(await p.getByTestId('lot-status').getAttribute('data-status')).toBe('quarantined');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('picks by scan: the scan field takes a unit of the allocation (ticked, count up) and refuses one not allocated with the reason; then ships', async () => {
    const state = demo();
    const admin = await adminApi(state.companies.maker);
    const lot = await makerLot({ lot: `WOPICK${suffix}`, serials: 4 });
    const customers = await admin.get<{ items: { id: number; participant: string | null }[] }>('/api/v1/partners?role=customer&limit=500');
    const distributor = customers.items.find((c) => c.participant?.toLowerCase() === state.companies.distributor.participant.toLowerCase());
    expect(distributor, 'the demo links the distributor as a customer of the maker').toBeDefined();
    const order = await admin.post<{ id: number }>('/api/v1/orders', {
      customerId: distributor!.id,
      currency: 'EUR',
      lines: [{ gtin: lot.gtin, lot: lot.lot, quantity: 2, unitPrice: '10.00' }],
    });
    orderId = order.id;

    const { context, page: p, errors } = await page();
    await signIn(p);
    await open(p, `#/orders/${order.id}`);
    await p.getByTestId('allocate-button').click();
    await p.getByTestId('allocate-outcome').waitFor();
    expect(await p.getByTestId('allocate-outcome').textContent()).toContain('2 allocated; every line is covered');
    expect(await p.getByTestId('allocation-table').textContent()).toContain(lot.lot);
    const allocated = await p.getByTestId('pick-list').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-serial')!));
    expect(allocated).toHaveLength(2);
    const notAllocated = lot.serials.find((s) => !allocated.includes(s))!;

    // The scan field has the focus: a scanner types straight into it (raw element string, GS separators).
    await p.waitForFunction(() => document.activeElement?.id === 'pick-scan');
    expect(await p.getByTestId('pick-count').textContent()).toBe('Picked 0 of 2');
    await p.keyboard.type(toRawElementString({ gtin: lot.gtin, lot: lot.lot, serial: allocated[0] }));
    await p.keyboard.press('Enter');
    const result = p.getByTestId('pick-scan-result');
    await result.locator('[data-outcome="accepted"]').waitFor();
    expect(await result.textContent()).toContain(`Picked unit ${allocated[0]} of lot ${lot.lot} for line 1: 1 of 2`);
    expect(await result.textContent()).toContain(allocated[0]); // what the browser read from the scan
    await p.locator(`[data-testid="pick-list"] li[data-serial="${allocated[0]}"][data-picked="true"]`).waitFor();
    expect(await p.getByTestId('pick-count').textContent()).toBe('Picked 1 of 2');

    // A unit of the same lot that is not allocated to this order: refused with the node's reason, nothing counted.
    await p.keyboard.type(toDigitalLink({ gtin: lot.gtin, lot: lot.lot, serial: notAllocated }));
    await p.keyboard.press('Enter');
    await result.locator('[data-outcome="refused"]').waitFor();
    const refused = await result.textContent();
    expect(refused).toContain('Unit not allocated to this order');
    expect(refused).toContain(`unit ${notAllocated} of lot ${lot.lot} is not allocated to order ${order.id}`);
    expect(refused).toContain('scan-not-allocated');
    expect(await p.getByTestId('pick-count').textContent()).toBe('Picked 1 of 2');

    // A malformed code is refused in the browser, naming the rule, and never sent.
    await p.keyboard.type(`(01)${lot.gtin.slice(0, 13)}${(Number(lot.gtin[13]) + 1) % 10}(21)X`);
    await p.keyboard.press('Enter');
    await result.locator('[data-outcome="refused"]').filter({ hasText: 'nothing was sent' }).waitFor();

    await p.keyboard.type(toElementString({ gtin: lot.gtin, lot: lot.lot, serial: allocated[1] }));
    await p.keyboard.press('Enter');
    await p.locator(`[data-testid="pick-list"] li[data-serial="${allocated[1]}"][data-picked="true"]`).waitFor();
    expect(await p.getByTestId('pick-count').textContent()).toBe('Picked 2 of 2');
    expect(await p.getByTestId('line-1-picked').textContent()).toBe('✓ 2 / 2');

    // GS written as <GS> (a scanner set up so, or a person): read as GS; the unit is already picked.
    await p.keyboard.type(toRawElementString({ gtin: lot.gtin, lot: lot.lot, serial: allocated[0] }).replace('\u001d', '<GS>'));
    await p.keyboard.press('Enter');
    await result.locator('[data-outcome="refused"]').filter({ hasText: 'scan-already-picked' }).waitFor();
    expect(await result.textContent()).toContain(`unit ${allocated[0]} of GTIN ${lot.gtin} is already picked for order ${order.id}`);
    expect(await p.getByTestId('pick-count').textContent()).toBe('Picked 2 of 2');
    expect(await p.getByTestId('order-status').getAttribute('data-status')).toBe('picked');

    await p.getByTestId('ship-button').click();
    const shipment = p.getByTestId('shipment');
    await shipment.waitFor();
    expect(await shipment.textContent()).toMatch(/Shipment \d+/);
    expect(await shipment.getByTestId('shipment-seq').textContent()).toMatch(/^ledger seq \d+$/);
    for (const serial of allocated) expect(await shipment.textContent()).toContain(serial);
    const notice = shipment.getByTestId('shipment-notice');
    await notice.locator('[data-anchored]').waitFor();
    expect((await notice.textContent())!.toLowerCase()).toContain(state.companies.distributor.participant.toLowerCase());
    expect(await p.getByTestId('order-status').getAttribute('data-status')).toBe('shipped');

    const fromNode = await admin.get<{ status: string; lines: { shipped: number }[] }>(`/api/v1/orders/${order.id}`);
    expect(fromNode.status).toBe('shipped');
    expect(fromNode.lines[0].shipped).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('commissions a lot with progress: the upload, then the node working, then the result with its units and ledger seq', async () => {
    const state = demo();
    const { context, page: p, errors } = await page();
    await signIn(p);
    await open(p, '#/lots/new');
    const lotCode = `WOCOM${suffix}`;
    await p.getByLabel('Product', { exact: true }).selectOption(state.product.gtin);
    await p.getByLabel('Lot', { exact: true }).fill(lotCode);
    await p.getByLabel('Number of serials').fill('5000');
    expect(await p.getByLabel('Serial prefix').inputValue()).toBe(`${lotCode}-`);
    // Every state the progress steps pass through, in order.
    await p.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver((records) => {
        for (const r of records) {
          const li = r.target as HTMLElement;
          if (li.dataset?.step) seen.push(`${li.dataset.step}:${li.dataset.state}`);
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
    await p.getByTestId('commission-submit').click();
    const result = p.getByTestId('commission-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toContain(`Lot ${lotCode} commissioned: 5,000 units`);
    const seq = Number((await result.textContent())!.match(/Commissioning event \(ledger seq\)(\d+)/)![1]);
    expect(seq).toBeGreaterThan(0);
    const progress = p.getByTestId('commission-progress');
    expect(await progress.locator('li[data-step="upload"]').getAttribute('data-state')).toBe('done');
    expect(await progress.locator('li[data-step="work"]').getAttribute('data-state')).toBe('done');
    const seen = await p.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(seen.indexOf('work:running')).toBeGreaterThan(seen.indexOf('upload:done'));
    expect(seen.indexOf('work:done')).toBeGreaterThan(seen.indexOf('work:running'));

    const fromNode = await (await adminApi(state.companies.maker)).get<{ unitCount: number; commissioningSeq: number; status: string }>(`/api/v1/lots/${state.product.gtin}/${lotCode}`);
    expect(fromNode).toMatchObject({ unitCount: 5000, commissioningSeq: seq, status: 'quarantined' });

    // The same lot again: the node's refusal (409 lot-exists) shown with its field.
    await p.getByTestId('commission-submit').click();
    const refusal = p.getByTestId('commission-refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-problem')).toBe('lot-exists');
    expect(await p.getByLabel('Lot', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the expiry view lists a lot close to expiry, coloured as a warning with its days left', async () => {
    const lot = await makerLot({ lot: `WOEXP${suffix}`, serials: 2, expiry: isoDay(10) });
    const { context, page: p, errors } = await page();
    await signIn(p);
    await open(p, '#/lots/expiring?days=30');
    const table = p.getByTestId('expiring-table');
    const row = table.locator('tr', { has: p.getByRole('link', { name: lot.lot, exact: true }) });
    await row.waitFor();
    const badge = row.locator('[data-expiry]');
    expect(await badge.getAttribute('data-expiry')).toBe('warn');
    expect(await badge.textContent()).toMatch(/(9|10) d left/);
    expect(await row.textContent()).toContain('Released');

    // A shorter horizon leaves it out.
    await p.getByLabel('Expiring within (days)').fill('5');
    await p.getByRole('button', { name: 'Show' }).click();
    await p.waitForFunction(() => location.hash === '#/lots/expiring?days=5');
    await p.getByTestId('expiring-summary').filter({ hasText: 'Within 5 days' }).waitFor();
    expect(await p.getByRole('link', { name: lot.lot, exact: true }).count()).toBe(0);

    // The stock view: the lot's units in the qualified bin, and among the lots expiring soon.
    await open(p, `#/stock?lot=${lot.lot}`);
    const stock = p.getByTestId('stock-table');
    expect(await stock.textContent()).toContain('Qualified');
    expect(await p.getByTestId('stock-totals').textContent()).toContain('2 units in this selection');
    expect(await p.getByTestId('stock-expiring').getByRole('link', { name: lot.lot, exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a bulk import reports every row error by row, field and rule (JSON rows, dry run)', async () => {
    const gtin = `0950999${Date.now().toString().slice(-6)}`;
    const good = gtin + gtinCheckDigit(gtin);
    const bad = gtin + ((gtinCheckDigit(gtin) + 1) % 10);
    const rows = [
      { gtin: good, name: 'Import test catheter', model: 'WO-1', deviceClass: 'IIa' },
      { gtin: bad, name: 'Bad check digit', model: 'WO-2', deviceClass: 'IIa' },
      { gtin: good, name: 'Duplicate', model: 'WO-3', deviceClass: 'IV' },
    ];
    const { context, page: p, errors } = await page();
    await signIn(p);
    await open(p, '#/imports');
    await p.getByLabel('Or paste the rows').fill(JSON.stringify(rows));
    await p.getByLabel('Dry run').check();
    await p.getByTestId('import-submit').click();
    const report = p.getByTestId('import-report');
    await report.waitFor();
    expect(await report.textContent()).toContain('Dry run: some rows have errors');
    expect(await p.getByTestId('import-progress').locator('li[data-step="work"]').getAttribute('data-state')).toBe('done');
    const errorRows = await p.getByTestId('import-errors').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
    expect(errorRows.some(([row, field]) => row === '3' && field === 'gtin')).toBe(true);
    expect(errorRows.some(([row, field]) => row === '4' && field === 'deviceClass')).toBe(true);
    expect(errorRows.every(([, , rule]) => /^[a-z-]+$/.test(rule ?? ''))).toBe(true);
    const products = await (await adminApi(demo().companies.maker)).get<{ items: { gtin: string }[] }>('/api/v1/products?limit=500');
    expect(products.items.some((x) => x.gtin === good)).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows every operations view in Chinese, no string left in English keys', async () => {
    const { context, page: p, errors } = await page();
    await signIn(p);
    await p.getByRole('button', { name: '中文' }).click();
    await p.getByRole('navigation', { name: '栏目' }).waitFor();
    for (const [route, heading] of [
      ['#/lots', '批次'],
      ['#/lots/expiring', '批次'],
      ['#/lots/new', '批次'],
      ['#/stock', '库存'],
      ['#/orders', '订单'],
      ['#/imports', '导入'],
    ] as const) {
      await open(p, route);
      expect(await p.locator('h1').textContent()).toBe(heading);
      expect(await p.locator('#view').innerText(), route).not.toMatch(UNTRANSLATED);
    }
    if (orderId) {
      await open(p, `#/orders/${orderId}`);
      expect(await p.getByTestId('order-status').textContent()).toBe('已发货');
    }
    expect(await p.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await p.evaluate(() => localStorage.removeItem('medtrace.lang'));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('screenshots of every operations view at phone and desktop width', async () => {
    const gtin = demo().product.gtin;
    const views: [string, string][] = [
      ['console-lots', '#/lots'],
      ['console-lot', `#/lots/${gtin}/${releasedLot ?? demo().lot}`],
      ['console-lots-expiring', '#/lots/expiring?days=30'],
      ['console-lots-new', '#/lots/new'],
      ['console-stock', '#/stock'],
      ['console-orders', '#/orders'],
      ['console-order', orderId ? `#/orders/${orderId}` : '#/orders/new'],
      ['console-imports', '#/imports'],
    ];
    for (const width of ['phone', 'desktop'] as const) {
      const { context, page: p, errors } = await page(width);
      await signIn(p);
      for (const [name, route] of views) {
        await open(p, route);
        const text = await p.locator('#view').innerText();
        expect(text, `${route} rendered`).not.toBe('');
        expect(text, `${route}: every string has its words (a missing one shows its key)`).not.toMatch(UNTRANSLATED);
        expect(await p.getByTestId('alert').textContent(), `${route} without an error`).toBe('');
        await screenshot(p, name, width);
      }
      // On a phone the view never widens the page: wide tables scroll inside their own region.
      if (width === 'phone') {
        await open(p, '#/stock');
        const view = await p.evaluate(() => ({ scroll: document.getElementById('view')!.scrollWidth, client: document.getElementById('view')!.clientWidth }));
        expect(view.scroll).toBeLessThanOrEqual(view.client);
        const region = await p.getByTestId('stock-table').locator('.table-region').evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }));
        expect(region.scroll).toBeGreaterThan(region.client);
      }
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
