// Bytes and 0x-hex: the SDK's public API uses Uint8Array and lowercase
// 0x-prefixed hex, never Buffer, so the same code runs in the browser.
import { MedtraceError } from './errors';

// Lookup tables: proofs are verified by the tens of thousands, so hex
// conversion stays out of regexes and parseInt.
const BYTE_TO_HEX: string[] = [];
for (let i = 0; i < 256; i++) BYTE_TO_HEX.push(i.toString(16).padStart(2, '0'));
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

/** Lowercase 0x-prefixed hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]];
  return out;
}

function nibble(hex: string, i: number): number {
  const c = hex.charCodeAt(i);
  return c < 128 ? NIBBLE[c] : -1;
}

/** Bytes of a 0x-prefixed hex string (either case); `expectedLength` (in bytes) is checked when given. */
export function fromHex(hex: string, expectedLength?: number, field = 'hex'): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || hex.charCodeAt(0) !== 48 || hex.charCodeAt(1) !== 120) {
    throw new MedtraceError('INVALID_INPUT', `${field} must be a 0x-prefixed string of hex byte pairs`, { field });
  }
  const n = (hex.length - 2) / 2;
  if (expectedLength !== undefined && n !== expectedLength) {
    throw new MedtraceError('INVALID_INPUT', `${field} must be ${expectedLength} bytes, got ${n}`, { field });
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const hi = nibble(hex, 2 + 2 * i);
    const lo = nibble(hex, 3 + 2 * i);
    if (hi < 0 || lo < 0) {
      throw new MedtraceError('INVALID_INPUT', `${field} must be a 0x-prefixed string of hex byte pairs`, { field });
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/**
 * Decodes the 0x-hex `hex` of exactly `length` bytes into `out` at `offset`,
 * without allocating: the proof verifier's hot path.
 */
export function fromHexInto(hex: string, out: Uint8Array, offset: number, length: number, field = 'hex'): void {
  if (typeof hex !== 'string' || hex.length !== 2 + 2 * length || hex.charCodeAt(0) !== 48 || hex.charCodeAt(1) !== 120) {
    throw new MedtraceError('INVALID_INPUT', `${field} must be a 0x-prefixed string of ${length} hex bytes`, { field });
  }
  for (let i = 0; i < length; i++) {
    const hi = nibble(hex, 2 + 2 * i);
    const lo = nibble(hex, 3 + 2 * i);
    if (hi < 0 || lo < 0) {
      throw new MedtraceError('INVALID_INPUT', `${field} must be a 0x-prefixed string of hex byte pairs`, { field });
    }
    out[offset + i] = (hi << 4) | lo;
  }
}

/** True when `value` is a lowercase 0x-prefixed 32-byte hex string (the canonical hash form). */
export function isHash32(value: unknown): value is string {
  return typeof value === 'string' && /^0x[0-9a-f]{64}$/.test(value);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

const encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
