// The public verification page against the running demo: every check runs in
// Chromium (the SDK's verifyBundle against the chain, through the page node's
// read-only RPC), the page mostly served by the hospital's node so the maker's
// answer is read cross-origin, as a clinician's phone would. Lots of its own
// (WV…) at the maker; the demo's own lot and units are only read.
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GS1_SEPARATOR, toDigitalLink, toRawElementString } from '../../sdk';
import { explainGs1Error } from '../../web/verify/explain';
import { verifyMessages } from '../../web/verify/messages';
import { expiryStatus, verdictOf as verdictRule } from '../../web/verify/verdict';
import type { Outcome } from '../../web/verify/check';
import { demo, launchBrowser, newContext, screenshot, VIEWPORTS, watchErrors, webSkip, type Width } from './browser';
import { dataMatrixPng, dataMatrixY4m, myLot, qrPng, recallLot, unitCode, verdictOf, verifyPath, type MyLot } from './verifyFixtures';

const WIDTHS = Object.keys(VIEWPORTS) as Width[];

describe('the verification page’s words and rules', () => {
  it('has the same keys in English and Chinese, none empty, with the same placeholders', () => {
    const { en, zh } = verifyMessages;
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en)) {
      expect(en[key].trim(), key).not.toBe('');
      expect(zh[key].trim(), key).not.toBe('');
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('explains a malformed code by its field and rule', () => {
    expect(explainGs1Error({ field: '(01)', message: '(01): wrong check digit: 3, expected 2' })).toEqual({
      field: { key: 'field.(01)', vars: {} },
      rule: { key: 'rule.checkDigit', vars: { detail: 'wrong check digit: 3, expected 2', actual: '3', expected: '2' } },
    });
    expect(explainGs1Error({ field: '(17)', message: '(17): bad date: month 13 is not 01 to 12' }).rule.key).toBe('rule.badDate');
    expect(explainGs1Error({ field: '(21)', message: "(21): character '^' (U+005E) at position 2 is outside GS1 character set 82" }).rule.key).toBe('rule.charset');
    expect(explainGs1Error({ field: '(99)', message: '(99): too long: 91 characters, at most 90' })).toMatchObject({ field: { key: 'field.ai', vars: { ai: '99' } }, rule: { key: 'rule.tooLong' } });
    expect(explainGs1Error({ field: 'input', message: 'input: something new' }).rule).toEqual({ key: 'rule.other', vars: { detail: 'something new' } });
  });

  it('warns from 90 days before the expiry date and calls a device expired from that date on', () => {
    expect(expiryStatus('2030-03-31', '2030-01-01')).toEqual({ state: 'soon', days: 89 });
    expect(expiryStatus('2030-04-01', '2030-01-01')).toEqual({ state: 'soon', days: 90 });
    expect(expiryStatus('2030-04-02', '2030-01-01')).toEqual({ state: 'ok', days: 91 });
    expect(expiryStatus('2030-01-01', '2030-01-01')).toEqual({ state: 'expired', days: 0 });
  });

  it('puts an open recall, then expiry, then a missing release before "genuine"', () => {
    const base: Outcome = { state: 'verified', input: '', recalls: [], recallsOfLot: true, evidence: { commissioning: {} as never, release: {} as never }, expiry: '2031-01-01', code: { gtin: '1', serial: 'S' } };
    const recall = { status: 'open' } as Outcome['recalls'][number];
    expect(verdictRule(base, '2030-01-01')).toEqual({ tone: 'ok', key: 'genuine' });
    expect(verdictRule({ ...base, recalls: [recall], expiry: '2029-01-01' }, '2030-01-01')).toEqual({ tone: 'bad', key: 'recalled' });
    expect(verdictRule({ ...base, recalls: [{ ...recall, status: 'closed' }] }, '2030-01-01').key).toBe('genuine');
    expect(verdictRule({ ...base, expiry: '2030-01-01', evidence: { commissioning: {} as never } }, '2030-01-01').key).toBe('expired');
    expect(verdictRule({ ...base, evidence: { commissioning: {} as never } }, '2030-01-01')).toEqual({ tone: 'warn', key: 'notReleased' });
    expect(verdictRule({ ...base, state: 'makerUnreachable', recalls: [recall] }, '2030-01-01')).toEqual({ tone: 'bad', key: 'unreachableRecalled' });
  });
});

describe.skipIf(webSkip())('the verification page in Chromium', () => {
  let browser: Browser;
  let released: MyLot;

  beforeAll(async () => {
    browser = await launchBrowser();
    released = await myLot('WVOK1');
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A page at `width`, closed after `fn`. */
  async function withPage<T>(width: Width, fn: (page: Page, errors: string[]) => Promise<T>, options: { locale?: string; on?: Browser } = {}): Promise<T> {
    const context: BrowserContext = await newContext(options.on ?? browser, width, { locale: options.locale });
    const page = await context.newPage();
    const errors = watchErrors(page);
    try {
      return await fn(page, errors);
    } finally {
      await context.close();
    }
  }

  const hospital = () => demo().companies.hospital.url;
  const maker = () => demo().companies.maker;

  it('verifies a released unit in the browser: the verdict, the device, the maker as registered, the chain and block', async () => {
    const code = unitCode(released, released.serials[0]);
    for (const width of WIDTHS) {
      await withPage(width, async (page, errors) => {
        await page.goto(verifyPath(hospital(), code));
        expect(await verdictOf(page)).toMatchObject({ state: 'verified', verdict: 'genuine', title: 'Genuine device' });
        const statement = await page.locator('.verdict .chain-statement').innerText();
        const [, chainId, block] = /chain (\d+) at block (\d+)/.exec(statement) ?? [];
        expect(Number(chainId)).toBe(demo().chain.chainId);
        expect(Number(block)).toBeGreaterThan(0);
        expect(await page.locator('[data-field=maker]').innerText()).toBe(maker().name);
        expect((await page.locator('[data-field=maker-address]').innerText()).toLowerCase()).toBe(maker().participant);
        expect(await page.locator('[data-field=name]').innerText()).toBe(demo().product.name);
        expect(await page.locator('[data-field=model]').innerText()).toBe(demo().product.model);
        expect(await page.locator('[data-field=serial]').innerText()).toBe(released.serials[0]);
        expect(await page.locator('[data-release]').getAttribute('data-release')).toBe('yes');
        expect(await page.locator('[data-expiry]').getAttribute('data-expiry')).toBe('ok');
        expect(await page.locator('[data-recalls=none]').count()).toBe(1);
        // The focus moved to the verdict; the page says it is about the code in the URL.
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('verdict-title');
        // The proofs: commissioning (disclosing the unit) and release, each with its anchor.
        await page.locator('details.proofs summary').click();
        await expect(page.locator('[data-proof=commissioning]').innerText()).resolves.toMatch(/ObjectEvent · ADD · commissioning/);
        await expect(page.locator('[data-proof=commissioning]').innerText()).resolves.toContain(`/21/${released.serials[0]}`);
        await expect(page.locator('[data-proof=release]').innerText()).resolves.toMatch(/urn:medtrace:bizstep:releasing/);
        await screenshot(page, 'verify-genuine', width);
        expect(errors).toEqual([]);
      });
    }
  });

  it("lands on the page from the demo unit's Digital Link (303) and verifies it", async () => {
    await withPage('phone', async (page, errors) => {
      await page.goto(demo().udi);
      expect(new URL(page.url()).pathname).toMatch(/^\/verify\/01\//);
      expect(await verdictOf(page)).toMatchObject({ state: 'verified', verdict: 'genuine' });
      expect(await page.locator('[data-field=lot]').innerText()).toBe(demo().lot);
      expect(errors).toEqual([]);
    });
  });

  it('shows the recall banner read from the chain: class, action, status and the notice, checked against its hash', async () => {
    const lot = await myLot('WVRC1');
    const recall = await recallLot(lot, { recallClass: 1, action: 'return' });
    for (const width of WIDTHS) {
      await withPage(width, async (page, errors) => {
        await page.goto(verifyPath(hospital(), unitCode(lot, lot.serials[1])));
        expect(await verdictOf(page)).toMatchObject({ state: 'verified', verdict: 'recalled', title: 'Recalled: do not use' });
        expect(await page.locator('.verdict').getAttribute('role')).toBe('alert');
        const banner = page.locator(`.recall[data-recall-id="${recall.id}"]`);
        expect(await banner.getAttribute('data-recall-class')).toBe('1');
        expect(await banner.getAttribute('data-recall-action')).toBe('return');
        await expect(banner.innerText()).resolves.toMatch(/class I \(serious harm likely\): return the device to the supplier/);
        await expect(banner.innerText()).resolves.toMatch(/Status: open/);
        expect(await banner.getByRole('link', { name: 'Read the recall notice' }).getAttribute('href')).toBe(recall.noticeUri);
        await banner.locator('[data-notice-check=ok]').waitFor();
        await screenshot(page, 'verify-recalled', width);
        expect(errors).toEqual([]);
      });
    }
  });

  it('fails visibly when one byte of the evidence from the maker’s node was changed, naming the code', async () => {
    for (const width of WIDTHS) {
      await withPage(width, async (page) => {
        await page.route(
          (url) => url.origin === maker().url && url.pathname === '/public/v1/verify',
          async (route) => {
            const res = await route.fetch();
            const answer = await res.json();
            const salt: string = answer.evidence.commissioning.salt;
            answer.evidence.commissioning.salt = salt.slice(0, -1) + (salt.endsWith('0') ? '1' : '0');
            await route.fulfill({ response: res, json: answer });
          },
        );
        await page.goto(verifyPath(hospital(), unitCode(released, released.serials[1])));
        expect(await verdictOf(page)).toMatchObject({ state: 'proofFailed', verdict: 'proofFailed', title: 'Proof failed' });
        expect(await page.locator('.verdict [data-code]').getAttribute('data-code')).toBe('INCLUSION_FAILED');
        await expect(page.locator('.verdict').innerText()).resolves.toMatch(/commissioning proof .* not in the batch the chain holds/);
        // The chain facts still stand: the maker as registered.
        expect(await page.locator('[data-field=maker]').innerText()).toBe(maker().name);
        await screenshot(page, 'verify-proof-failed', width);
      });
    }
  });

  it('explains a malformed code: a wrong GTIN check digit is named as such', async () => {
    const gtin = demo().product.gtin;
    const wrong = `${gtin.slice(0, 13)}${(Number(gtin[13]) + 1) % 10}`;
    for (const width of WIDTHS) {
      await withPage(width, async (page, errors) => {
        await page.goto(`${hospital()}/verify/`);
        await page.getByLabel('Code on the label').fill(`(01)${wrong}(21)X1`);
        await page.getByRole('button', { name: 'Verify', exact: true }).click();
        expect(await verdictOf(page)).toMatchObject({ state: 'malformed', title: 'This is not a valid code' });
        const text = await page.locator('.verdict').innerText();
        expect(text).toContain(`The product number (GTIN, AI 01) has a wrong check digit: its last digit is ${wrong[13]}, it should be ${gtin[13]}.`);
        await screenshot(page, 'verify-malformed', width);
        expect(errors).toEqual([]);
      });
    }
  });

  it('says a GTIN no participant registered has no registered maker', async () => {
    for (const width of WIDTHS) {
      await withPage(width, async (page, errors) => {
        await page.goto(`${hospital()}/verify/?udi=${encodeURIComponent('(01)09506000134352(10)A1(21)X1')}`);
        expect(await verdictOf(page)).toMatchObject({ state: 'unknownGtin', title: 'Unknown product: no registered maker' });
        await expect(page.locator('.maker').innerText()).resolves.toContain('No company holds the company prefix of this GTIN');
        await screenshot(page, 'verify-unknown-gtin', width);
        expect(errors).toEqual([]);
      });
    }
  });

  it('calls a serial the maker never commissioned suspect', async () => {
    const code = { gtin: demo().product.gtin, lot: demo().lot, serial: 'WV-NEVER-MADE' };
    for (const width of WIDTHS) {
      await withPage(width, async (page, errors) => {
        await page.goto(verifyPath(hospital(), code));
        expect(await verdictOf(page)).toMatchObject({ state: 'suspect', verdict: 'suspect', title: 'Suspect device' });
        await expect(page.locator('.verdict').innerText()).resolves.toContain(`has never commissioned serial WV-NEVER-MADE of this product`);
        expect(await page.locator('[data-field=maker]').innerText()).toBe(maker().name);
        await screenshot(page, 'verify-suspect', width);
        expect(errors).toEqual([]);
      });
    }
  });

  it("still shows the chain's facts when the maker's node cannot be reached", async () => {
    for (const width of WIDTHS) {
      await withPage(width, async (page) => {
        await page.route((url) => url.origin === maker().url && url.pathname === '/public/v1/verify', (route) => route.abort('connectionrefused'));
        await page.goto(verifyPath(hospital(), unitCode(released, released.serials[2])));
        expect(await verdictOf(page)).toMatchObject({ state: 'makerUnreachable', title: "The maker's node cannot be reached" });
        expect(await page.locator('[data-field=maker]').innerText()).toBe(maker().name);
        expect(await page.locator('[data-field=maker-status]').innerText()).toBe('active');
        expect(await page.locator('[data-recalls=none]').count()).toBe(1);
        await expect(page.locator('.chain-statement').innerText()).resolves.toMatch(new RegExp(`chain ${demo().chain.chainId} at block \\d+`));
        await screenshot(page, 'verify-unreachable', width);
      });
    }
  });

  it('reads what a scanner typed: a raw element string with GS, and with ^ for GS, keyboard only', async () => {
    const code = unitCode(released, released.serials[0]);
    const raw = toRawElementString(code);
    expect(raw).toContain(GS1_SEPARATOR);
    await withPage('desktop', async (page, errors) => {
      await page.goto(`${hospital()}/verify/`);
      await page.getByLabel('Code on the label').fill(raw);
      await page.getByLabel('Code on the label').press('Enter');
      expect(await verdictOf(page)).toMatchObject({ verdict: 'genuine' });
      expect(await page.locator('[data-field=serial]').innerText()).toBe(code.serial);
      expect(errors).toEqual([]);
    });
    await withPage('desktop', async (page, errors) => {
      await page.goto(`${hospital()}/verify/`);
      // The field has the focus on arrival; a keyboard-wedge scanner types, then Enter.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('code');
      await page.keyboard.type(`]d2${raw.replaceAll(GS1_SEPARATOR, '^')}`);
      await page.keyboard.press('Enter');
      expect(await verdictOf(page)).toMatchObject({ verdict: 'genuine' });
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('verdict-title');
      // The address bar now holds the code: a reload checks it again.
      expect(new URL(page.url()).searchParams.get('udi')).toBe(`]d2${raw.replaceAll(GS1_SEPARATOR, '^')}`);
      expect(errors).toEqual([]);
    });
  });

  it("warns of a lot the maker has not released, and of an expiry within 90 days", async () => {
    const soon = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const lot = await myLot('WVNR1', { release: false, expiry: soon });
    for (const width of WIDTHS) {
      await withPage(width, async (page, errors) => {
        await page.goto(verifyPath(hospital(), unitCode(lot, lot.serials[0])));
        expect(await verdictOf(page)).toMatchObject({ state: 'verified', verdict: 'notReleased', title: 'Not released by the maker' });
        expect(await page.locator('[data-release]').getAttribute('data-release')).toBe('no');
        expect(await page.locator('[data-expiry]').getAttribute('data-expiry')).toBe('soon');
        await expect(page.locator('[data-expiry]').innerText()).resolves.toMatch(/expires in (39|40) days \(a warning shows from 90 days before the expiry date\)/);
        await screenshot(page, 'verify-not-released', width);
        expect(errors).toEqual([]);
      });
    }
  });

  it('speaks Chinese with ?lang=zh and switches language without checking again', async () => {
    const code = unitCode(released, released.serials[0]);
    for (const width of WIDTHS) {
      await withPage(width, async (page, errors) => {
        await page.goto(`${verifyPath(hospital(), code)}&lang=zh`);
        expect(await verdictOf(page)).toMatchObject({ verdict: 'genuine', title: '正品器械' });
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
        await expect(page.locator('h1').innerText()).resolves.toBe('验证医疗器械');
        await expect(page.locator('.verdict .chain-statement').innerText()).resolves.toMatch(/已对照区块链 \d+ 在区块 \d+ 处核验/);
        await screenshot(page, 'verify-zh', width);
        let verifies = 0;
        page.on('request', (r) => void (r.url().includes('/public/v1/verify') && verifies++));
        await page.getByRole('button', { name: '将页面切换为英文' }).click();
        await expect(page.locator('#verdict-title').innerText()).resolves.toBe('Genuine device');
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
        expect(verifies).toBe(0);
        expect(errors).toEqual([]);
      });
    }
  });

  it('decodes a photo of the label: a GS1 DataMatrix, and a QR code holding a Digital Link', async () => {
    const code = unitCode(released, released.serials[1]);
    const photos = [
      { symbol: await dataMatrixPng(code), read: `21${code.serial}` },
      { symbol: await qrPng(toDigitalLink(code, maker().url)), read: toDigitalLink(code, maker().url) },
    ];
    for (const { symbol, read } of photos) {
      await withPage('phone', async (page, errors) => {
        await page.goto(`${hospital()}/verify/`);
        const decoder = page.waitForRequest((r) => /\/assets\/decoder-[\w-]+\.js$/.test(r.url()));
        await page.locator('#photo').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: symbol });
        await decoder;
        expect(await verdictOf(page)).toMatchObject({ verdict: 'genuine' });
        expect(await page.getByLabel('Code on the label').inputValue()).toContain(read);
        expect(errors).toEqual([]);
      });
    }
  });

  it("scans a unit's GS1 DataMatrix with the camera (Chromium's fake camera) and verifies it", async () => {
    const code = unitCode(released, released.serials[2]);
    const video = dataMatrixY4m(code);
    const cameraBrowser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    try {
      for (const width of WIDTHS) {
        await withPage(
          width,
          async (page, errors) => {
            await page.context().grantPermissions(['camera'], { origin: hospital() });
            await page.goto(`${hospital()}/verify/`);
            // The decoder is not part of the page's first load: it comes when the camera is asked for.
            const first = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
            expect(first.some((name) => name.includes('/assets/decoder-'))).toBe(false);
            await page.getByRole('button', { name: 'Scan with the camera' }).click();
            expect(await verdictOf(page)).toMatchObject({ verdict: 'genuine' });
            expect(await page.locator('[data-field=serial]').innerText()).toBe(code.serial);
            // The symbol's GS1 data came in as a raw element string, FNC1 as GS, shown as ␝.
            expect(await page.getByLabel('Code on the label').inputValue()).toBe(`␝${toRawElementString(code).replaceAll(GS1_SEPARATOR, '␝')}`);
            await screenshot(page, 'verify-camera', width);
            expect(errors).toEqual([]);
          },
          { on: cameraBrowser },
        );
      }
    } finally {
      await cameraBrowser.close();
      fs.rmSync(video, { force: true });
    }
  });
});
