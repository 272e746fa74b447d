// The SDK's one hash, SHA-256. In browsers it is @noble/hashes; under Node the
// platform's native SHA-256 is used when present (found at run time through
// process.getBuiltinModule, so nothing here imports node:*). Loaders that wrap
// ESM packages as CommonJS (tsx) make noble about ten times slower, and the
// node, the CLI and the benchmarks all run under tsx.
// Tree and leaf functions also take `{ sha256 }` to plug in any implementation;
// the algorithms stay here.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export type Sha256Fn = (data: Uint8Array) => Uint8Array;

export interface HashOptions {
  /** A SHA-256 implementation to use instead of the SDK's default. It must return a fresh array. */
  sha256?: Sha256Fn;
}

interface NodeCryptoLike {
  hash?: (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Uint8Array;
  createHash?: (algorithm: string) => { update(data: Uint8Array): { digest(): Uint8Array } };
}

const asUint8Array = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

function nativeSha256(): Sha256Fn | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    if (typeof proc?.getBuiltinModule !== 'function') return undefined;
    const crypto = proc.getBuiltinModule('node:crypto') as NodeCryptoLike | undefined;
    let fn: Sha256Fn | undefined;
    if (typeof crypto?.hash === 'function') {
      const hash = crypto.hash;
      fn = (data) => asUint8Array(hash('sha256', data, 'buffer'));
    } else if (typeof crypto?.createHash === 'function') {
      const createHash = crypto.createHash;
      fn = (data) => asUint8Array(createHash('sha256').update(data).digest());
    }
    // Trust it only if it agrees with noble.
    const probe = new Uint8Array([0x61, 0x62, 0x63]);
    if (fn && fn(probe).every((byte, i) => byte === nobleSha256(probe)[i])) return fn;
  } catch {
    // Not Node, or no crypto module: noble it is.
  }
  return undefined;
}

const defaultSha256: Sha256Fn = nativeSha256() ?? nobleSha256;

/** SHA-256 of `data` (native under Node, @noble/hashes elsewhere). */
export function sha256(data: Uint8Array): Uint8Array {
  return defaultSha256(data);
}

/** The hash function selected by `opts`. */
export function hashFn(opts?: HashOptions): Sha256Fn {
  return opts?.sha256 ?? defaultSha256;
}

/** The pure-JS SHA-256 of @noble/hashes, for callers that want it whatever the platform. */
export { nobleSha256 };
