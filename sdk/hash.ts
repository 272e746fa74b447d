// The SDK's one hash: SHA-256 from @noble/hashes (pure JS, runs in browsers).
// Tree and leaf functions take `{ sha256 }` so a server can plug in a native
// implementation for speed; the algorithms stay here.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export type Sha256Fn = (data: Uint8Array) => Uint8Array;

export interface HashOptions {
  /** A SHA-256 implementation to use instead of @noble/hashes (e.g. Node's native one). */
  sha256?: Sha256Fn;
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** The hash function selected by `opts`. */
export function hashFn(opts?: HashOptions): Sha256Fn {
  return opts?.sha256 ?? nobleSha256;
}
