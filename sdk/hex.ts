// Bytes and 0x-hex: the SDK's public API uses Uint8Array and lowercase
// 0x-prefixed hex, never Buffer, so the same code runs in the browser.
import { MedtraceError } from './errors';

const HEX_RE = /^0x([0-9a-fA-F]{2})*$/;

/** Lowercase 0x-prefixed hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, '0');
  return out;
}

/** Bytes of a 0x-prefixed hex string; `expectedLength` (in bytes) is checked when given. */
export function fromHex(hex: string, expectedLength?: number, field = 'hex'): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) {
    throw new MedtraceError('INVALID_INPUT', `${field} must be a 0x-prefixed string of hex byte pairs`, { field });
  }
  const n = (hex.length - 2) / 2;
  if (expectedLength !== undefined && n !== expectedLength) {
    throw new MedtraceError('INVALID_INPUT', `${field} must be ${expectedLength} bytes, got ${n}`, { field });
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
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
