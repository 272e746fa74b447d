// CSV import of products and partners through HTTP: RFC 4180 files (quotes,
// doubled quotes, line breaks in fields, CRLF), a validation report naming row,
// field and rule; a file with errors imports nothing unless ?validRowsOnly=true;
// ?dryRun=true only validates; file-level errors refuse the whole file.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { parseCsv } from '../../node/imports/csv';

const P = 'https://medtrace.dev/problems/';
let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
});
afterAll(async () => {
  await api?.close();
});

const counts = () => Promise.all(['products', 'partners', 'partner_certificates', 'audit_trail'].map((t) => api.count(t)));
const upload = (kind: string, csv: string, query = '', as: 'admin' | 'qa' | 'warehouse' | 'viewer' = 'admin') =>
  api.call('POST', `/api/v1/imports/${kind}${query}`, { as, body: csv, headers: { 'content-type': 'text/csv' } });

describe('the CSV reader', () => {
  test('reads quoted fields with commas, doubled quotes and line breaks, CRLF and LF, and a BOM', () => {
    const text = '\ufeffa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\r\nlines",\n\n3,z,last';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
      { line: 3, fields: ['2', 'two\r\nlines', ''] },
      { line: 6, fields: ['3', 'z', 'last'] },
    ]);
  });

  test('refuses an unclosed quote and a stray quote, naming the line', () => {
    expect(() => parseCsv('a,b\n1,"open')).toThrow('line 2: a quoted field is not closed');
    expect(() => parseCsv('a,b\n1,x"y')).toThrow('line 2: a quote inside an unquoted field');
    expect(() => parseCsv('a,b\n1,"x"y')).toThrow('line 2: text after a closing quote');
  });
});

const PRODUCTS_HEADER = 'GTIN,Name,Model,Device class,Shelf life days,Tracking,Registration number,Registration expiry,Storage conditions,Standard cost';

describe('product import', () => {
  test('a file with errors imports nothing and reports each row, field and rule', async () => {
    const before = await counts();
    const csv = [
      PRODUCTS_HEADER,
      '09506000134352,"Stent, coronary",CS-2,III,1095,serial,REG-1,2030-01-31,"store at 10-25 °C, ""dry""",812.50',
      '09506000134353,Bad check digit,M,I,,,,,,',
      '09506000134369,Catheter,C-1,IV,,,,,,',
      '09506000134376,Gauze,G-1,I,,lot,REG-2,,,-3',
      '09506000134352,Duplicate,D,I,,,,,,',
      '09506000134383,,M,I,,,,,,',
    ].join('\r\n');
    const res = await upload('products', csv);
    expect(res.status).toBe(422);
    const problem = (await readProblem(res)) as any;
    expect(problem).toMatchObject({ type: P + 'import-invalid', row: 3, field: 'gtin' });
    expect(problem.detail).toContain('nothing was imported');
    expect(problem.errors.map((e: any) => [e.row, e.field, e.rule])).toEqual([
      [3, 'gtin', 'invalid'],
      [4, 'deviceClass', 'invalid'],
      [5, 'registrationExpiry', 'invalid'],
      [5, 'standardCost', 'invalid'],
      [6, 'gtin', 'duplicate-in-file'],
      [7, 'name', 'required'],
    ]);
    expect(problem.errors[4].message).toContain('already on row 2');
    expect(problem.report).toMatchObject({ rows: 6, imported: 0 });
    expect(await counts()).toEqual(before);
  });

  test('a dry run reports without writing', async () => {
    const before = await counts();
    const res = await upload('products', `${PRODUCTS_HEADER}\n09506000134369,Catheter,C-1,IV,,,,,,`, '?dryRun=true');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'products', dryRun: true, rows: 1, imported: 0, errors: [{ row: 2, field: 'deviceClass', rule: 'invalid' }] });
    expect(await counts()).toEqual(before);
  });

  test('?validRowsOnly=true imports the valid rows, reports the others, and audits each product and the import', async () => {
    const csv = [
      PRODUCTS_HEADER,
      '09506000134352,"Stent, coronary",CS-2,III,1095,serial,REG-1,2030-01-31,"store at 10-25 °C, ""dry""",812.50',
      '09506000134369,Catheter,C-1,IV,,,,,,',
      '9506000134376,Gauze,G-1,I,,lot,,,,0.35',
    ].join('\n');
    const res = await upload('products', csv, '?validRowsOnly=true', 'qa');
    expect(res.status).toBe(201);
    const report = await res.json();
    expect(report).toMatchObject({
      kind: 'products',
      rows: 3,
      imported: 2,
      skipped: 1,
      validRowsOnly: true,
      created: ['09506000134352', '09506000134376'],
      errors: [{ row: 3, field: 'deviceClass', rule: 'invalid' }],
      fileSha256: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    const stent = await (await api.call('GET', '/api/v1/products/09506000134352')).json();
    expect(stent).toMatchObject({
      name: 'Stent, coronary',
      storageConditions: 'store at 10-25 °C, "dry"',
      registrationNumber: 'REG-1',
      registrationExpiry: '2030-01-31',
      standardCost: '812.5000',
      shelfLifeDays: 1095,
      createdBy: 'qa',
    });
    expect((await (await api.call('GET', '/api/v1/products/09506000134376')).json()).tracking).toBe('lot');
    const audit = await api.db.sql`select action, entity_id from audit_trail where action in ('product.create', 'import.products') order by id`;
    expect(audit.map((a) => [a.action, a.entity_id])).toEqual([
      ['product.create', '09506000134352'],
      ['product.create', '09506000134376'],
      ['import.products', report.fileSha256],
    ]);
  });

  test('a GTIN already in the catalogue is an error of its row', async () => {
    const res = await upload('products', `${PRODUCTS_HEADER}\n09506000134352,Again,X,I,,,,,,`);
    const problem = (await readProblem(res)) as any;
    expect(problem.errors).toEqual([expect.objectContaining({ row: 2, field: 'gtin', rule: 'exists' })]);
  });

  test('file-level errors refuse the whole file even with validRowsOnly', async () => {
    const before = await counts();
    const cases: [string, string, string][] = [
      ['gtin,name,model,colour\n09506000134390,x,y,red', 'colour', 'unknown-column'],
      ['gtin,name,model\n09506000134390,x,y', 'deviceClass', 'missing-column'],
      ['gtin,name,model,deviceClass\n09506000134390,"x,y,I', 'file', 'csv-syntax'],
      ['gtin,name,model,deviceClass\n09506000134390,x,y', 'file', 'field-count'],
      ['', 'file', 'empty'],
    ];
    for (const [csv, field, rule] of cases) {
      const problem = (await readProblem(await upload('products', csv, '?validRowsOnly=true'))) as any;
      expect(problem, csv).toMatchObject({ status: 422, type: P + 'import-invalid' });
      expect(problem.errors, csv).toContainEqual(expect.objectContaining({ field, rule }));
    }
    expect(await counts()).toEqual(before);
  });

  test('a repeat with the same Idempotency-Key answers the stored report and imports once', async () => {
    const csv = `${PRODUCTS_HEADER}\n09506000134390,Syringe,SY-1,IIa,,,,,,`;
    const send = () =>
      api.call('POST', '/api/v1/imports/products', { body: csv, headers: { 'content-type': 'text/csv', 'idempotency-key': 'import-42' } });
    const first = await send();
    expect(first.status).toBe(201);
    const before = await counts();
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(await counts()).toEqual(before);
  });

  test('needs a CSV body and the role to write products', async () => {
    const json = await api.call('POST', '/api/v1/imports/products', { body: { gtin: 'x' } });
    expect(json.status).toBe(415);
    expect((await upload('products', PRODUCTS_HEADER, '', 'warehouse')).status).toBe(403);
  });
});

const PARTNERS_HEADER = 'code,name,isSupplier,isCustomer,gln,creditLimit,certificateKind,certificateNumber,certificateValidFrom,certificateValidUntil';

describe('partner import', () => {
  test('imports partners with one certificate per row; rows of a partner share its code', async () => {
    const csv = [
      PARTNERS_HEADER,
      'ACME,Acme Medical,yes,no,9506000000015,,business_licence,BL-1,,2030-12-31',
      'ACME,,,,,,iso13485,ISO-7,2024-01-01,2027-06-30',
      'CLINIC,"City Clinic, North",no,yes,,5000,operation_licence,OL-3,,2028-01-01',
      'BARE,No Papers,false,true,,,,,,',
    ].join('\r\n');
    const res = await upload('partners', csv);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ kind: 'partners', rows: 4, imported: 3, skipped: 0, errors: [], created: ['ACME', 'CLINIC', 'BARE'] });
    const list = await (await api.call('GET', '/api/v1/partners')).json();
    const acme = list.items.find((p: any) => p.code === 'ACME');
    expect(acme).toMatchObject({ name: 'Acme Medical', isSupplier: true, isCustomer: false, gln: '9506000000015' });
    expect(acme.certificates.map((c: any) => [c.kind, c.number, c.validFrom, c.validUntil])).toEqual([
      ['business_licence', 'BL-1', null, '2030-12-31'],
      ['iso13485', 'ISO-7', '2024-01-01', '2027-06-30'],
    ]);
    const clinic = list.items.find((p: any) => p.code === 'CLINIC');
    expect(clinic).toMatchObject({ name: 'City Clinic, North', isCustomer: true, creditLimit: '5000.00' });
    // imported partners pass through the same qualification gate
    const gate = await api.call('GET', `/api/v1/partners/${clinic.id}/qualification?role=customer&date=2028-01-02`);
    expect(await readProblem(gate)).toMatchObject({ type: P + 'certificate-expired', certificate: { number: 'OL-3' } });
  });

  test('a bad row skips its whole partner; without validRowsOnly nothing is imported', async () => {
    const csv = [
      PARTNERS_HEADER,
      'GOOD,Good Supplies,yes,,,,business_licence,BL-9,,2030-01-01',
      'HALF,Half Good,yes,,,,business_licence,BL-5,,2030-01-01',
      'HALF,Other Name,,,,,iso13485,I-1,2026-01-01,2025-01-01',
      'NONE,Neither,no,no,,,,,,',
      'ACME,Acme again,yes,,,,,,,',
      'bad code,x,yes,,,,,,,',
    ].join('\n');
    const before = await counts();
    const refused = (await readProblem(await upload('partners', csv))) as any;
    expect(refused.errors.map((e: any) => [e.row, e.field, e.rule])).toEqual([
      [4, 'name', 'conflicting-partner-fields'],
      [4, 'certificateValidUntil', 'invalid'],
      [5, 'isSupplier', 'invalid'],
      [6, 'code', 'exists'],
      [7, 'code', 'invalid'],
    ]);
    expect(await counts()).toEqual(before);

    const res = await upload('partners', csv, '?validRowsOnly=true');
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ imported: 1, created: ['GOOD'], rows: 6, skipped: 5 });
  });

  test('only admin imports partners', async () => {
    expect((await upload('partners', PARTNERS_HEADER, '', 'qa')).status).toBe(403);
  });
});
