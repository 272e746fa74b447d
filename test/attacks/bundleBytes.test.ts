// Every single-byte change of a valid, anchored proof bundle is refused by
// verifyBundle with a coded error. The bundle is the shared vector
// (test/vectors/bundle-v1.json) anchored for real on the in-process Hardhat
// network, serialized as compact JSON (no insignificant whitespace, so every
// byte carries meaning). Every byte position is changed to each of a set of
// values (each of its 8 single-bit flips, every hex digit and the upper-case
// ones, every character JSON gives meaning to, NUL, DEL and bytes that break
// UTF-8); with MEDTRACE_FUZZ_EXHAUSTIVE=1 to all 255 other values. The changed
// bytes are read as UTF-8, as a verifier reading a file does (values that
// decode to the same text are verified once), and the text is handed to
// verifyBundle. A change that still parses must fail a check further down
// (shape, leaf and inclusion, unit proof, range, chain); one that breaks the
// JSON counts as refused (BUNDLE_MALFORMED) and the suite reports how many got
// past the parser.
import { BrowserProvider, type Provider } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMedtraceError, verifyBundle, type ProofBundle } from '../../sdk';
import hre from '../contracts/hre';
import { by, deployMedtrace, hash, register } from '../contracts/fixture';
import vectors from '../vectors/bundle-v1.json';

const PARTICIPANT = vectors.bundle.envelope.participant;

let provider: Provider;
let bundle: ProofBundle;

beforeAll(async () => {
  const m = await deployMedtrace();
  provider = new BrowserProvider(hre.network.provider as never);
  // The vector's envelope names its participant: anchor as it, through impersonation.
  await hre.network.provider.send('hardhat_impersonateAccount', [PARTICIPANT]);
  await hre.network.provider.send('hardhat_setBalance', [PARTICIPANT, '0x56bc75e2d63100000']);
  await register(m, PARTICIPANT);
  const signer = await hre.ethers.getSigner(PARTICIPANT);
  const anchorLog = by(m.anchorLog, signer);
  await (await anchorLog.anchor(hash('batch 0'), 1)).wait();
  const receipt = await (await anchorLog.anchor(vectors.batch.root, vectors.batch.to)).wait();
  bundle = structuredClone(vectors.bundle) as unknown as ProofBundle;
  bundle.anchor = { ...bundle.anchor, anchorLog: (await m.anchorLog.getAddress()).toLowerCase(), txHash: receipt.hash, blockNumber: receipt.blockNumber };
}, 120_000);

interface Tally {
  /** Byte changes tried. */
  changes: number;
  /** Distinct texts handed to the verifier (byte values decoding alike are verified once). */
  verified: number;
  /** Texts that were not JSON any more. */
  notJson: number;
  /** Texts that parsed as JSON and so reached the bundle checks. */
  reachedChecks: number;
  /** Refusals by code, over distinct texts. */
  codes: Record<string, number>;
  /** Byte changes the verifier accepted, or refused with something else than a MedtraceError: must stay empty. */
  wrong: string[];
}

const EXHAUSTIVE = process.env.MEDTRACE_FUZZ_EXHAUSTIVE === '1';
const ascii = (chars: string) => [...chars].map((ch) => ch.charCodeAt(0));
/** Values a byte is changed to besides its bit flips: what can keep the JSON valid or change its meaning least visibly. */
const CANDIDATES = [
  ...ascii('0123456789abcdefABCDEFxX'),
  ...ascii('{}[]:,"\\ \t\n.-+eEnulltruefals/_'),
  0x00,
  0x7f,
  0x80,
  0xc3,
  0xff,
];

/** The other values byte `original` is changed to. */
function replacements(original: number): number[] {
  const values = EXHAUSTIVE ? Array.from({ length: 256 }, (_, v) => v) : [...[0, 1, 2, 3, 4, 5, 6, 7].map((bit) => original ^ (1 << bit)), ...CANDIDATES];
  return [...new Set(values)].filter((v) => v !== original);
}

/** The UTF-8 bytes of `bytes` with position `at` set to `value`, read back as text. */
function changed(bytes: Uint8Array, at: number, value: number, decoder: TextDecoder): string {
  const copy = bytes.slice();
  copy[at] = value;
  return decoder.decode(copy);
}

describe('single-byte changes of an anchored bundle', () => {
  it('the unchanged bundle verifies, as text and as an object', async () => {
    const text = JSON.stringify(bundle);
    await expect(verifyBundle(text, { provider })).resolves.toMatchObject({ seq: 3, batch: 1 });
    await expect(verifyBundle(JSON.parse(text), { provider })).resolves.toMatchObject({ seq: 3, batch: 1 });
  });

  it(`every byte changed to ${EXHAUSTIVE ? 'every other value' : 'each of its bit flips and the JSON-meaningful values'} is refused with a coded error; none verifies`, async () => {
    const text = JSON.stringify(bundle);
    const bytes = new TextEncoder().encode(text);
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const tally: Tally = { changes: 0, verified: 0, notJson: 0, reachedChecks: 0, codes: {}, wrong: [] };
    for (let at = 0; at < bytes.length; at++) {
      const seen = new Set<string>();
      for (const value of replacements(bytes[at])) {
        tally.changes++;
        const mutated = changed(bytes, at, value, decoder);
        if (seen.has(mutated)) continue;
        seen.add(mutated);
        tally.verified++;
        try {
          await verifyBundle(mutated, { provider });
          tally.wrong.push(`byte ${at} ${bytes[at]} → ${value}: verified (${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))})`);
        } catch (error) {
          if (!isMedtraceError(error)) {
            tally.wrong.push(`byte ${at} ${bytes[at]} → ${value}: threw ${(error as Error)?.name}: ${(error as Error)?.message}`);
            continue;
          }
          tally.codes[error.code] = (tally.codes[error.code] ?? 0) + 1;
          // parseBundle keeps the JSON parser's SyntaxError as the cause.
          if (error.code === 'BUNDLE_MALFORMED' && error.cause instanceof SyntaxError) tally.notJson++;
          else tally.reachedChecks++;
        }
      }
    }
    console.log(
      `bundle of ${bytes.length} bytes: ${tally.changes} byte changes, ${tally.verified} distinct texts verified, ` +
        `${tally.notJson} no longer JSON, ${tally.reachedChecks} reached the bundle checks, ${tally.verified - (tally.codes.BUNDLE_MALFORMED ?? 0) - (tally.codes.UNSUPPORTED_VERSION ?? 0)} ` +
        `got past its shape checks to the leaf, proofs and chain; refusals by code: ${JSON.stringify(tally.codes)}`,
    );
    expect(tally.wrong).toEqual([]);
    if (EXHAUSTIVE) expect(tally.changes).toBe(bytes.length * 255);
    else expect(tally.changes).toBeGreaterThan(bytes.length * 40);
    // Most changes land inside hex strings and numbers: far more than a third must get past the JSON parser.
    expect(tally.reachedChecks).toBeGreaterThan(tally.verified / 3);
    // Each kind of check is reached: the offline ones and the chain's.
    // (A changed leaf shows as INCLUSION_FAILED: the recomputed leaf no longer leads to the root.)
    const expected = ['BUNDLE_MALFORMED', 'UNSUPPORTED_VERSION', 'PARTICIPANT_MISMATCH', 'CHAIN_MISMATCH', 'RANGE_MISMATCH', 'INCLUSION_FAILED', 'UNIT_NOT_IN_SET'];
    for (const code of [...expected, 'BATCH_NOT_FOUND', 'ROOT_NOT_ON_CHAIN', 'TX_MISMATCH']) {
      expect(tally.codes[code], code).toBeGreaterThan(0);
    }
  }, 600_000);

  it('every value replaced by another of any type, every key dropped, a key added to every object: refused with a coded error (a disclosed unit dropped: verifies, proving no unit)', async () => {
    const paths: (string | number)[][] = [];
    const objects: (string | number)[][] = [];
    const walk = (value: unknown, path: (string | number)[]) => {
      if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
      else if (typeof value === 'object' && value !== null) {
        objects.push(path);
        for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
      }
      if (path.length > 0) paths.push(path);
    };
    walk(bundle, []);
    const replacements: unknown[] = [null, true, 0, -1, 1.5, 2 ** 53, '', 'x', `0x${'0'.repeat(64)}`, [], {}, 'y'.repeat(100_000)];
    const at = (root: unknown, path: (string | number)[]) => path.reduce<any>((v, key) => v[key], root);
    const variants: { what: string; value: unknown }[] = [];
    for (const path of paths) {
      for (const replacement of replacements) {
        const copy = structuredClone(bundle) as unknown;
        at(copy, path.slice(0, -1))[path[path.length - 1]] = replacement;
        if (JSON.stringify(copy) !== JSON.stringify(bundle)) variants.push({ what: `${path.join('.')} = ${JSON.stringify(replacement).slice(0, 20)}`, value: copy });
      }
      const dropped = structuredClone(bundle) as unknown;
      const parent = at(dropped, path.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
      else delete parent[path[path.length - 1]];
      variants.push({ what: `${path.join('.')} dropped`, value: dropped });
    }
    for (const path of objects) {
      for (const key of ['extra', '__proto__', 'constructor']) {
        const copy = structuredClone(bundle) as unknown;
        Object.defineProperty(at(copy, path), key, { value: 1, enumerable: true, configurable: true, writable: true });
        variants.push({ what: `${[...path, key].join('.')} added`, value: copy });
      }
    }
    const wrong: string[] = [];
    for (const { what, value } of variants) {
      // Both as the object and as its JSON text: a verifier may be handed either.
      for (const input of [value, JSON.stringify(value)]) {
        try {
          const result = await verifyBundle(input, { provider });
          // Fewer disclosed units is no forgery (each unit proof stands alone: nodes restrict bundles so):
          // the bundle still proves the event, and says it proves no unit it dropped.
          const kept = (value as ProofBundle).units.map((u) => u.uri);
          const subset = Array.isArray((value as ProofBundle).units) && kept.every((uri) => bundle.units.some((u) => u.uri === uri)) && kept.length < bundle.units.length;
          if (!subset || JSON.stringify(result.units) !== JSON.stringify(kept)) wrong.push(`${what}: verified`);
        } catch (error) {
          if (!isMedtraceError(error)) wrong.push(`${what}: ${(error as Error)?.name} ${(error as Error)?.message}`);
        }
      }
    }
    console.log(`${paths.length} values and ${objects.length} objects: ${variants.length} changed bundles, each refused as object and as text (bar those only dropping a disclosed unit)`);
    expect(wrong).toEqual([]);
    expect(variants.length).toBeGreaterThan(500);
  }, 300_000);
});
