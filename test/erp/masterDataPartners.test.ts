// Partners and their qualification certificates through HTTP: create with
// certificates, read, list, correct with a reason, deactivate; the trade gate
// (assertPartnerQualified) refuses an expired certificate naming it, a missing
// role, no certificate, a deactivated partner; every refusal writes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { assertPartnerQualified } from '../../node/partners/qualification';
import { ProblemError } from '../../node/http/problem';

const P = 'https://medtrace.dev/problems/';
let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
});
afterAll(async () => {
  await api?.close();
});

const counts = () => Promise.all(['partners', 'partner_certificates', 'audit_trail'].map((t) => api.count(t)));

async function createPartner(body: Record<string, unknown>) {
  const res = await api.call('POST', '/api/v1/partners', { body });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

describe('partners', () => {
  test('creates a supplier with its certificates, reads it back, and records the creation in the audit trail', async () => {
    const partner = await createPartner({
      code: 'ACME',
      name: 'Acme Medical',
      isSupplier: true,
      gln: '9506000000015',
      participant: '0x' + 'AB'.repeat(20),
      certificates: [
        { kind: 'business_licence', number: 'BL-1', validUntil: '2030-12-31' },
        { kind: 'iso13485', number: 'ISO-7', validFrom: '2024-01-01', validUntil: '2027-06-30', documentSha256: '0x' + 'A'.repeat(64) },
      ],
      reason: 'new supplier',
    });
    expect(partner).toMatchObject({
      code: 'ACME',
      isSupplier: true,
      isCustomer: false,
      gln: '9506000000015',
      participant: '0x' + 'ab'.repeat(20),
      creditLimit: null,
      active: true,
    });
    expect(partner.certificates.map((c: any) => [c.kind, c.number, c.validFrom, c.validUntil])).toEqual([
      ['business_licence', 'BL-1', null, '2030-12-31'],
      ['iso13485', 'ISO-7', '2024-01-01', '2027-06-30'],
    ]);
    expect(partner.certificates[1].documentSha256).toBe('0x' + 'a'.repeat(64));
    const read = await api.call('GET', `/api/v1/partners/${partner.id}`, { as: 'viewer' });
    expect(await read.json()).toEqual(partner);
    const [audit] = await api.db.sql`select actor, action, reason, after from audit_trail where entity = 'partner' and entity_id = ${String(partner.id)}`;
    expect(audit).toMatchObject({ actor: 'admin', action: 'partner.create', reason: 'new supplier', after: partner });
  });

  test('lists partners by role a page at a time', async () => {
    await createPartner({ code: 'CLINIC-1', name: 'City Clinic', isCustomer: true, creditLimit: '5000.00' });
    await createPartner({ code: 'BOTH', name: 'Trading House', isSupplier: true, isCustomer: true });
    const customers = await (await api.call('GET', '/api/v1/partners?role=customer')).json();
    expect(customers.items.map((p: any) => p.code)).toEqual(['CLINIC-1', 'BOTH']);
    expect(customers.items[0].creditLimit).toBe('5000.00');
    const first = await (await api.call('GET', '/api/v1/partners?limit=2', { as: 'sales' })).json();
    expect(first.items.map((p: any) => p.code)).toEqual(['ACME', 'CLINIC-1']);
    const second = await (await api.call('GET', `/api/v1/partners?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((p: any) => p.code)).toEqual(['BOTH']);
    expect(second.nextCursor).toBeNull();
  });

  test('refuses bad partners with the field and rule, writing nothing', async () => {
    const before = await counts();
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ code: 'ACME', name: 'again', isSupplier: true }, 409, 'partner-exists', 'code'],
      [{ code: 'X', name: 'neither' }, 422, 'invalid-input', 'isSupplier'],
      [{ code: 'lower', name: 'x', isSupplier: true }, 422, 'invalid-input', 'code'],
      [{ code: 'G', name: 'x', isSupplier: true, gln: '9506000000018' }, 422, 'invalid-input', 'gln'],
      [{ code: 'M', name: 'x', isCustomer: true, creditLimit: '-5' }, 422, 'invalid-input', 'creditLimit'],
      [{ code: 'M', name: 'x', isCustomer: true, creditLimit: 12.5 }, 422, 'invalid-input', 'creditLimit'],
      [
        { code: 'C', name: 'x', isSupplier: true, certificates: [{ kind: 'iso13485', number: '1', validFrom: '2026-01-01', validUntil: '2025-01-01' }] },
        422,
        'invalid-input',
        'certificates.0.validUntil',
      ],
      [
        {
          code: 'D',
          name: 'x',
          isSupplier: true,
          certificates: [
            { kind: 'iso13485', number: '1', validUntil: '2030-01-01' },
            { kind: 'iso13485', number: '1', validUntil: '2031-01-01' },
          ],
        },
        409,
        'certificate-exists',
        'certificates.1.number',
      ],
    ];
    for (const [body, status, slug, field] of cases) {
      const res = await api.call('POST', '/api/v1/partners', { body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(await readProblem(res)).toMatchObject({ type: P + slug, field });
    }
    expect(await counts()).toEqual(before);
  });

  test('only admin writes partners; every staff role reads them', async () => {
    for (const role of ['qa', 'warehouse', 'sales', 'viewer'] as const) {
      const res = await api.call('POST', '/api/v1/partners', { as: role, body: { code: 'NO', name: 'x', isSupplier: true } });
      expect(res.status).toBe(403);
      expect((await api.call('GET', '/api/v1/partners', { as: role })).status).toBe(200);
    }
    expect((await api.call('GET', '/api/v1/partners', { as: null })).status).toBe(401);
  });

  test('a correction needs a reason and records before and after; a partner is deactivated, not deleted', async () => {
    const { items } = await (await api.call('GET', '/api/v1/partners?role=customer')).json();
    const clinic = items.find((p: any) => p.code === 'CLINIC-1');
    const before = await counts();
    const noReason = await api.call('PATCH', `/api/v1/partners/${clinic.id}`, { body: { creditLimit: '9000' } });
    expect(noReason.status).toBe(422);
    expect(await readProblem(noReason)).toMatchObject({ type: P + 'invalid-input', field: 'reason' });
    const neither = await api.call('PATCH', `/api/v1/partners/${clinic.id}`, { body: { isCustomer: false, reason: 'x' } });
    expect(await readProblem(neither)).toMatchObject({ status: 422, field: 'isSupplier' });
    const missing = await api.call('PATCH', '/api/v1/partners/99999', { body: { name: 'x', reason: 'x' } });
    expect(missing.status).toBe(404);
    expect(await counts()).toEqual(before);

    const res = await api.call('PATCH', `/api/v1/partners/${clinic.id}`, {
      body: { creditLimit: '9000', name: 'City Clinic North' },
      headers: { 'x-reason': 'credit review 2026' },
    });
    expect(res.status).toBe(200);
    const changed = await res.json();
    expect(changed).toMatchObject({ creditLimit: '9000.00', name: 'City Clinic North', code: 'CLINIC-1' });
    const [audit] = await api.db.sql`
      select action, reason, before, after from audit_trail where entity = 'partner' and entity_id = ${String(clinic.id)} order by id desc limit 1`;
    expect(audit).toMatchObject({ action: 'partner.update', reason: 'credit review 2026', before: { creditLimit: '5000.00' }, after: { creditLimit: '9000.00' } });

    const off = await api.call('PATCH', `/api/v1/partners/${clinic.id}`, { body: { active: false, reason: 'closed down' } });
    expect((await off.json()).active).toBe(false);
    const [last] = await api.db.sql`select action from audit_trail where entity = 'partner' order by id desc limit 1`;
    expect(last.action).toBe('partner.deactivate');
    const active = await (await api.call('GET', '/api/v1/partners?role=customer&active=true')).json();
    expect(active.items.map((p: any) => p.code)).toEqual(['BOTH']);
  });
});

describe('certificates and qualification', () => {
  let supplierId: number;
  beforeAll(async () => {
    const partner = await createPartner({
      code: 'SUPP-Q',
      name: 'Qualified Supplies',
      isSupplier: true,
      certificates: [
        { kind: 'business_licence', number: 'BL-9', validUntil: '2030-12-31' },
        { kind: 'distribution_licence', number: 'DL-2024-17', validUntil: '2026-03-31' },
      ],
    });
    supplierId = partner.id;
  });

  const check = (id: number, role: string, date: string) => api.call('GET', `/api/v1/partners/${id}/qualification?role=${role}&date=${date}`, { as: 'viewer' });

  test('a partner with every certificate kind valid on the day is qualified for its role', async () => {
    const res = await check(supplierId, 'supplier', '2026-03-31');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ partnerId: supplierId, role: 'supplier', date: '2026-03-31', qualified: true });
  });

  test('an expired certificate refuses the partner, naming the certificate kind, number and expiry', async () => {
    const res = await check(supplierId, 'supplier', '2026-04-01');
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({
      type: P + 'certificate-expired',
      field: 'supplierId',
      certificate: { kind: 'distribution_licence', number: 'DL-2024-17', validUntil: '2026-03-31' },
    });
    expect(problem.detail).toContain('distribution_licence certificate DL-2024-17 expired on 2026-03-31');
  });

  test('the function others call throws the same problem inside their transaction', async () => {
    const thrown = await api.db.sql
      .begin((tx) => assertPartnerQualified(tx, supplierId, 'supplier', '2026-04-01'))
      .catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(ProblemError);
    expect(thrown).toMatchObject({ status: 422, type: P + 'certificate-expired', extras: { field: 'supplierId' } });
    await api.db.sql.begin((tx) => assertPartnerQualified(tx, supplierId, 'supplier', '2026-01-01'));
  });

  test('a renewed certificate of the same kind qualifies the partner again', async () => {
    const res = await api.call('POST', `/api/v1/partners/${supplierId}/certificates`, {
      body: { kind: 'distribution_licence', number: 'DL-2026-03', validFrom: '2026-04-01', validUntil: '2031-03-31' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ partnerId: supplierId, kind: 'distribution_licence', number: 'DL-2026-03' });
    expect((await check(supplierId, 'supplier', '2026-04-01')).status).toBe(200);
    // a certificate that starts later does not cover the day before it
    const early = await check(supplierId, 'supplier', '2020-01-01');
    expect(early.status).toBe(200);
  });

  test('a partner is refused in a role it does not hold, without certificates, deactivated, or unknown', async () => {
    const notCustomer = await check(supplierId, 'customer', '2026-01-01');
    const wrongRole = await readProblem(notCustomer);
    expect(wrongRole).toMatchObject({ status: 422, type: P + 'partner-not-qualified', field: 'customerId' });
    expect(wrongRole.detail).toContain('is not a customer');

    const bare = await createPartner({ code: 'BARE', name: 'No Papers', isCustomer: true });
    const noCert = await readProblem(await check(bare.id, 'customer', '2026-01-01'));
    expect(noCert).toMatchObject({ type: P + 'partner-not-qualified', field: 'customerId' });
    expect(noCert.detail).toContain('no qualification certificate');

    const future = await createPartner({
      code: 'LATER',
      name: 'Not Yet',
      isCustomer: true,
      certificates: [{ kind: 'operation_licence', number: 'OL-1', validFrom: '2027-01-01', validUntil: '2030-01-01' }],
    });
    const notYet = await readProblem(await check(future.id, 'customer', '2026-06-01'));
    expect(notYet).toMatchObject({ type: P + 'partner-not-qualified', certificate: { kind: 'operation_licence', number: 'OL-1' } });
    expect(notYet.detail).toContain('valid only from 2027-01-01');

    await api.call('PATCH', `/api/v1/partners/${future.id}`, { body: { active: false, reason: 'duplicate record' } });
    const inactive = await readProblem(await check(future.id, 'customer', '2028-01-01'));
    expect(inactive).toMatchObject({ type: P + 'partner-not-qualified' });
    expect(inactive.detail).toContain('deactivated');

    const unknown = await readProblem(await check(424242, 'supplier', '2026-01-01'));
    expect(unknown).toMatchObject({ type: P + 'partner-not-qualified', field: 'supplierId' });
  });

  test('a certificate correction needs a reason, refuses a duplicate, and is audited with before and after', async () => {
    const partner = await (await api.call('GET', `/api/v1/partners/${supplierId}`)).json();
    const old = partner.certificates.find((c: any) => c.number === 'DL-2024-17');
    const before = await counts();
    const url = `/api/v1/partners/${supplierId}/certificates/${old.id}`;
    expect(await readProblem(await api.call('PATCH', url, { body: { validUntil: '2026-04-30' } }))).toMatchObject({ status: 422, field: 'reason' });
    expect(await readProblem(await api.call('PATCH', url, { body: { number: 'DL-2026-03', reason: 'typo' } }))).toMatchObject({
      status: 409,
      type: P + 'certificate-exists',
    });
    expect(await readProblem(await api.call('PATCH', url, { body: { validFrom: '2026-05-01', reason: 'typo' } }))).toMatchObject({
      status: 422,
      field: 'validFrom',
    });
    expect((await api.call('PATCH', `/api/v1/partners/${supplierId}/certificates/99999`, { body: { number: 'x', reason: 'x' } })).status).toBe(404);
    expect((await api.call('POST', `/api/v1/partners/${supplierId}/certificates`, { body: { kind: 'distribution_licence', number: 'DL-2024-17', validUntil: '2030-01-01' } })).status).toBe(409);
    expect(await counts()).toEqual(before);

    const res = await api.call('PATCH', url, { body: { validUntil: '2026-04-30', reason: 'expiry misread from the scan' } });
    expect(res.status).toBe(200);
    expect((await res.json()).validUntil).toBe('2026-04-30');
    const [audit] = await api.db.sql`
      select action, reason, before, after from audit_trail where entity = 'partner_certificate' and entity_id = ${String(old.id)} order by id desc limit 1`;
    expect(audit).toMatchObject({ action: 'partner_certificate.update', reason: 'expiry misread from the scan', before: { validUntil: '2026-03-31' }, after: { validUntil: '2026-04-30' } });
  });

  test('removing a certificate needs a reason and is audited', async () => {
    const partner = await (await api.call('GET', `/api/v1/partners/${supplierId}`)).json();
    const old = partner.certificates.find((c: any) => c.number === 'DL-2024-17');
    const url = `/api/v1/partners/${supplierId}/certificates/${old.id}`;
    expect(await readProblem(await api.call('DELETE', url))).toMatchObject({ status: 422, field: 'reason' });
    expect((await api.call('DELETE', url, { as: 'qa', headers: { 'x-reason': 'x' } })).status).toBe(403);
    const res = await api.call('DELETE', url, { headers: { 'x-reason': 'recorded twice' } });
    expect(res.status).toBe(200);
    expect((await res.json()).certificates.map((c: any) => c.number)).not.toContain('DL-2024-17');
    const [audit] = await api.db.sql`select action, reason, before from audit_trail where entity = 'partner_certificate' order by id desc limit 1`;
    expect(audit).toMatchObject({ action: 'partner_certificate.delete', reason: 'recorded twice', before: { number: 'DL-2024-17' } });
  });
});

describe('certificates expiring', () => {
  test('lists the latest certificate of each kind that expired or expires within the horizon, earliest first', async () => {
    await createPartner({
      code: 'EXP',
      name: 'Expiring Ltd',
      isSupplier: true,
      certificates: [
        { kind: 'business_licence', number: 'B-1', validUntil: '2026-05-10' },
        { kind: 'iso13485', number: 'I-1', validUntil: '2026-04-01' },
        { kind: 'distribution_licence', number: 'D-OLD', validUntil: '2026-03-01' },
        { kind: 'distribution_licence', number: 'D-NEW', validUntil: '2029-01-01' },
      ],
    });
    const res = await api.call('GET', '/api/v1/partner-certificates/expiring?date=2026-04-15&days=30', { as: 'viewer' });
    expect(res.status).toBe(200);
    const mine = (await res.json()).items.filter((c: any) => c.partnerCode === 'EXP');
    expect(mine.map((c: any) => [c.kind, c.number, c.validUntil, c.daysLeft, c.status])).toEqual([
      ['iso13485', 'I-1', '2026-04-01', -14, 'expired'],
      ['business_licence', 'B-1', '2026-05-10', 25, 'expiring'],
    ]);
    const shorter = await (await api.call('GET', '/api/v1/partner-certificates/expiring?date=2026-04-15&days=0')).json();
    expect(shorter.items.filter((c: any) => c.partnerCode === 'EXP').map((c: any) => c.number)).toEqual(['I-1']);
    expect((await api.call('GET', '/api/v1/partner-certificates/expiring?days=-1')).status).toBe(422);
  });
});
