// Electronic signatures: the signer re-enters their own password, holds a
// permitted role, states an allowed meaning, and the signature row is bound to
// the SHA-256 of the record's canonical JSON; every refusal writes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalize, sha256, toHex } from '../../sdk';
import { insertUser } from '../../node/auth/users';
import { ProblemError } from '../../node/http/problem';
import { recordSha256, signatureSchema, signRecord, listSignatures } from '../../node/signatures/sign';
import { freshDatabase, type TestDatabase } from '../support';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
  await db.sql.begin(async (tx) => {
    await insertUser(tx, { username: 'qa1', password: 'right-password', roles: ['qa'] });
    await insertUser(tx, { username: 'wh1', password: 'right-password', roles: ['warehouse'] });
  });
});
afterAll(async () => {
  await db?.close();
});

const record = { gtin: '09506000134352', lot: 'L1', status: 'quarantined', expiry: '2029-01-01' };
const target = { entity: 'lot', entityId: '09506000134352/L1', record, actor: 'qa1', allowedRoles: ['admin', 'qa'] as const, meanings: ['released'] as const };

async function attempt(input: { username: string; password: string; meaning: any }, overrides: Partial<typeof target> = {}) {
  try {
    return await db.sql.begin((tx) => signRecord(tx, { ...input, reason: 'release after passed final inspection' }, { ...target, ...overrides }));
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
}

async function signatureCount() {
  const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from signatures`;
  return row.n;
}

describe('signRecord', () => {
  test('records a signature bound to the SHA-256 of the record canonical JSON', async () => {
    const signature = await attempt({ username: 'qa1', password: 'right-password', meaning: 'released' });
    expect(signature).not.toBeInstanceOf(ProblemError);
    const expected = toHex(sha256(canonicalize(record)));
    expect(signature).toMatchObject({
      signer: 'qa1',
      meaning: 'released',
      entity: 'lot',
      entityId: '09506000134352/L1',
      recordSha256: expected,
      reason: 'release after passed final inspection',
    });
    // key order does not change the binding; a changed value does
    expect(recordSha256({ expiry: '2029-01-01', status: 'quarantined', lot: 'L1', gtin: '09506000134352' })).toBe(expected);
    expect(recordSha256({ ...record, status: 'released' })).not.toBe(expected);
    expect(await listSignatures(db.sql, 'lot', '09506000134352/L1')).toEqual([signature]);
  });

  test('a wrong password is 401 signature-invalid and writes nothing', async () => {
    const before = await signatureCount();
    const problem = (await attempt({ username: 'qa1', password: 'wrong', meaning: 'released' })) as ProblemError;
    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem.status).toBe(401);
    expect(problem.type).toBe('https://medtrace.dev/problems/signature-invalid');
    expect(problem.extras.field).toBe('signature.password');
    expect(await signatureCount()).toBe(before);
  });

  test('signing as someone other than the signed-in user is refused', async () => {
    const problem = (await attempt({ username: 'wh1', password: 'right-password', meaning: 'released' })) as ProblemError;
    expect(problem.status).toBe(403);
    expect(problem.type).toMatch(/signature-signer-mismatch$/);
    expect(problem.extras.field).toBe('signature.username');
  });

  test('a signer without a permitted role is refused with the roles it needs', async () => {
    const before = await signatureCount();
    const problem = (await attempt({ username: 'wh1', password: 'right-password', meaning: 'released' }, { actor: 'wh1' })) as ProblemError;
    expect(problem.status).toBe(403);
    expect(problem.type).toMatch(/signature-role-missing$/);
    expect(problem.detail).toContain('admin, qa');
    expect(await signatureCount()).toBe(before);
  });

  test('a meaning other than the one the action needs is refused', async () => {
    const problem = (await attempt({ username: 'qa1', password: 'right-password', meaning: 'reviewed' })) as ProblemError;
    expect(problem.status).toBe(422);
    expect(problem.type).toMatch(/signature-meaning$/);
    expect(problem.extras.field).toBe('signature.meaning');
  });

  test('a disabled account cannot sign', async () => {
    await db.sql`update users set disabled = true where username = 'qa1'`;
    try {
      const problem = (await attempt({ username: 'qa1', password: 'right-password', meaning: 'released' })) as ProblemError;
      expect(problem.status).toBe(401);
    } finally {
      await db.sql`update users set disabled = false where username = 'qa1'`;
    }
  });

  test('signatureSchema takes username, password and a known meaning only', () => {
    expect(signatureSchema.safeParse({ username: 'qa1', password: 'x', meaning: 'approved' }).success).toBe(true);
    expect(signatureSchema.safeParse({ username: 'qa1', password: 'x', meaning: 'liked' }).success).toBe(false);
    expect(signatureSchema.safeParse({ username: 'qa1', password: 'x', meaning: 'approved', extra: 1 }).success).toBe(false);
  });
});
