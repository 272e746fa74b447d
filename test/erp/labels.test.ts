// Labels through HTTP: GS1 DataMatrix with human-readable text as SVG and PNG
// for a unit, a lot and a case. No DataMatrix decoder is at hand, so the symbol is
// compared with what bwip-js draws for the SDK's element string itself.
import { inflateSync } from 'node:zlib';
import bwipjs from 'bwip-js/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseGs1Case, toCaseElementString, toElementString, toRawCaseElementString, toRawElementString } from '../../sdk';
import { readProblem, startTestApp, type TestApp } from '../support/app';

const GTIN = '09506000134352';
const LOT = 'L2611A';
const UNIT = { gtin: GTIN, lot: LOT, serial: 'SN-0001', expiry: '2029-11-30', productionDate: '2026-11-20' };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
  const product = await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Coronary stent', model: 'CS-2', deviceClass: 'III' } });
  expect(product.status).toBe(201);
  for (const [lot, serials] of [
    [LOT, ['SN-0001', 'SN/0002']],
    ['A(B)7', ['P(1)']],
  ] as const) {
    const res = await api.call('POST', '/api/v1/lots', { body: { gtin: GTIN, lot, productionDate: '2026-11-20', expiry: '2029-11-30', serials } });
    expect(res.status).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await api?.close();
});

/** The path data bwip-js draws for `text` (the SVG's symbol, at the label's scale). */
function symbolPath(options: { bcid: string; text: string; parsefnc?: boolean }): string {
  const svg = bwipjs.toSVG({ ...options, scale: 4 });
  return /<path d="([^"]+)"/.exec(svg)![1];
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Width, height and the inflated scanlines of a PNG, checked to hold exactly height × (1 + width × channels) bytes. */
function decodePng(png: Buffer): { width: number; height: number; pixelsOk: boolean } {
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8); // bit depth
      channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[data[9]]!;
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return { width, height, pixelsOk: raw.length === height * (1 + width * channels) };
}

describe('unit labels', () => {
  test('SVG: the DataMatrix of the SDK element string (01)(11)(17)(10)(21), the element string and the product as text', async () => {
    const res = await api.call('GET', `/api/v1/labels/unit/${GTIN}/SN-0001.svg`, { as: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await res.text();
    const hri = toElementString(UNIT);
    expect(hri).toBe('(01)09506000134352(11)261120(17)291130(10)L2611A(21)SN-0001');
    expect(svg).toContain(`>${hri}</text>`);
    expect(svg).toContain('Coronary stent CS-2');
    expect(svg).toContain('EXP 2029-11-30');
    expect(svg).toContain(`<path d="${symbolPath({ bcid: 'gs1datamatrix', text: hri })}"`);
    // A different serial is a different symbol.
    expect(svg).not.toContain(symbolPath({ bcid: 'gs1datamatrix', text: toElementString({ ...UNIT, serial: 'SN-0002' }) }));
  });

  test('PNG: a PNG of the right size, the very image bwip-js draws for the element string', async () => {
    const res = await api.call('GET', `/api/v1/labels/unit/${GTIN}/SN-0001.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    const hri = toElementString(UNIT);
    const expected = await bwipjs.toBuffer({
      bcid: 'gs1datamatrix',
      text: hri,
      scale: 4,
      includetext: true,
      alttext: hri,
      textsize: 8,
      textxalign: 'center',
      paddingwidth: 4,
      paddingheight: 4,
      backgroundcolor: 'FFFFFF',
    });
    const decoded = decodePng(png);
    expect(decoded.pixelsOk).toBe(true);
    expect({ width: decoded.width, height: decoded.height }).toEqual({ width: expected.readUInt32BE(16), height: expected.readUInt32BE(20) });
    // Symbol 22×22 modules (this content) × scale 4 + padding, text below: taller than wide symbol alone.
    expect(decoded.height).toBeGreaterThan(22 * 4);
    expect(png.equals(expected)).toBe(true);
  });

  test('a serial with a slash is addressed percent-encoded; one with parentheses goes in raw form after FNC1', async () => {
    const slash = await api.call('GET', `/api/v1/labels/unit/${GTIN}/${encodeURIComponent('SN/0002')}.svg`);
    expect(slash.status).toBe(200);
    expect(await slash.text()).toContain(`>${xml(toElementString({ ...UNIT, serial: 'SN/0002' }))}</text>`);

    const paren = await api.call('GET', `/api/v1/labels/unit/${GTIN}/${encodeURIComponent('P(1)')}.svg`);
    expect(paren.status).toBe(200);
    const data = { ...UNIT, lot: 'A(B)7', serial: 'P(1)' };
    const svg = await paren.text();
    expect(svg).toContain(`>${xml(toElementString(data))}</text>`);
    expect(svg).toContain(`<path d="${symbolPath({ bcid: 'datamatrix', text: `^FNC1${toRawElementString(data)}`, parsefnc: true })}"`);
  });

  test('an unknown unit is 404; a bad extension or GTIN is 422 naming the parameter', async () => {
    const missing = await api.call('GET', `/api/v1/labels/unit/${GTIN}/NOPE.svg`);
    expect(missing.status).toBe(404);
    const ext = await api.call('GET', `/api/v1/labels/unit/${GTIN}/SN-0001.pdf`);
    expect(ext.status).toBe(422);
    expect((await readProblem(ext)).field).toBe('file');
    const gtin = await api.call('GET', `/api/v1/labels/unit/09506000134353/SN-0001.svg`);
    expect(gtin.status).toBe(422);
    expect((await readProblem(gtin)).field).toBe('gtin');
    expect((await api.call('GET', `/api/v1/labels/unit/${GTIN}/SN-0001.svg`, { as: null })).status).toBe(401);
  });
});

describe('lot labels', () => {
  test('SVG and PNG of (01)(11)(17)(10)', async () => {
    const hri = toElementString({ gtin: GTIN, lot: LOT, expiry: UNIT.expiry, productionDate: UNIT.productionDate });
    expect(hri).toBe('(01)09506000134352(11)261120(17)291130(10)L2611A');
    const svg = await (await api.call('GET', `/api/v1/labels/lot/${GTIN}/${LOT}.svg`, { as: 'warehouse' })).text();
    expect(svg).toContain(`>${hri}</text>`);
    expect(svg).toContain(`<path d="${symbolPath({ bcid: 'gs1datamatrix', text: hri })}"`);
    const res = await api.call('GET', `/api/v1/labels/lot/${GTIN}/${LOT}.png`);
    expect(res.status).toBe(200);
    const decoded = decodePng(Buffer.from(await res.arrayBuffer()));
    expect(decoded.pixelsOk).toBe(true);
    expect(decoded.width).toBeGreaterThan(0);
    expect((await api.call('GET', `/api/v1/labels/lot/${GTIN}/NOLOT.png`)).status).toBe(404);
  });
});

describe('case labels', () => {
  const SSCC = '095060001000000012';
  const CASE = { sscc: SSCC, content: GTIN, count: 20, lot: LOT, expiry: UNIT.expiry, productionDate: UNIT.productionDate };

  test('SVG: the DataMatrix of the SDK case element string (00)(02)(11)(17)(37)(10), with SSCC, content and count as text', async () => {
    const res = await api.call('GET', `/api/v1/labels/case/${GTIN}/${LOT}.svg?quantity=20&sscc=${SSCC}`, { as: 'warehouse' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const hri = toCaseElementString(CASE);
    expect(hri).toBe('(00)095060001000000012(02)09506000134352(11)261120(17)291130(37)20(10)L2611A');
    const svg = await res.text();
    expect(svg).toContain(`>${hri}</text>`);
    expect(svg).toContain(`SSCC ${SSCC}`);
    expect(svg).toContain('COUNT 20');
    expect(svg).toContain(`<path d="${symbolPath({ bcid: 'gs1datamatrix', text: hri })}"`);
    // The symbol reads back, through the SDK, as the same case.
    expect(parseGs1Case(toRawCaseElementString(CASE))).toEqual(CASE);
  });

  test('PNG: the very image bwip-js draws for the case element string', async () => {
    const res = await api.call('GET', `/api/v1/labels/case/${GTIN}/${LOT}.png?quantity=20&sscc=${SSCC}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    const hri = toCaseElementString(CASE);
    const expected = await bwipjs.toBuffer({
      bcid: 'gs1datamatrix',
      text: hri,
      scale: 4,
      includetext: true,
      alttext: hri,
      textsize: 8,
      textxalign: 'center',
      paddingwidth: 4,
      paddingheight: 4,
      backgroundcolor: 'FFFFFF',
    });
    expect(decodePng(png).pixelsOk).toBe(true);
    expect(png.equals(expected)).toBe(true);
  });

  test('a lot with parentheses goes in raw form after FNC1', async () => {
    const res = await api.call('GET', `/api/v1/labels/case/${GTIN}/${encodeURIComponent('A(B)7')}.svg?quantity=5&sscc=${SSCC}`);
    expect(res.status).toBe(200);
    const data = { ...CASE, lot: 'A(B)7', count: 5 };
    expect(await res.text()).toContain(`<path d="${symbolPath({ bcid: 'datamatrix', text: `^FNC1${toRawCaseElementString(data)}`, parsefnc: true })}"`);
  });

  test('a bad SSCC check digit, a missing SSCC or quantity is 422 naming the parameter; an unknown lot 404', async () => {
    const bad = await api.call('GET', `/api/v1/labels/case/${GTIN}/${LOT}.svg?quantity=20&sscc=095060001000000018`);
    expect(bad.status).toBe(422);
    const problem = await readProblem(bad);
    expect(problem.field).toBe('sscc');
    expect(problem.detail).toContain('wrong check digit');
    const missing = await api.call('GET', `/api/v1/labels/case/${GTIN}/${LOT}.svg?quantity=20`);
    expect(missing.status).toBe(422);
    expect((await readProblem(missing)).field).toBe('sscc');
    const zero = await api.call('GET', `/api/v1/labels/case/${GTIN}/${LOT}.svg?quantity=0&sscc=${SSCC}`);
    expect(zero.status).toBe(422);
    expect((await readProblem(zero)).field).toBe('quantity');
    expect((await api.call('GET', `/api/v1/labels/case/${GTIN}/NOLOT.svg?quantity=20&sscc=${SSCC}`)).status).toBe(404);
  });
});
