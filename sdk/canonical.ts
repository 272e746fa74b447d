// RFC 8785 JSON Canonicalization Scheme: the exact bytes every ledger event is
// hashed over. Only JSON data is accepted; anything JSON.stringify would
// silently drop or coerce is refused, so two parties never hash different bytes.
import { MedtraceError } from './errors';
import { utf8 } from './hex';

// In a `u` regex a surrogate pair is one code point, so this matches lone halves only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The RFC 8785 canonical UTF-8 bytes of `value`. Throws `CANONICALIZATION_FAILED`. */
export function canonicalize(value: unknown): Uint8Array {
  return utf8(canonicalString(value));
}

/** The RFC 8785 canonical form of `value` as a string (before UTF-8 encoding). */
export function canonicalString(value: unknown): string {
  return serialize(value, '$', new Set());
}

function fail(path: string, message: string): never {
  throw new MedtraceError('CANONICALIZATION_FAILED', `${path}: ${message}`, { field: path });
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, path);
    case 'number':
      // ECMAScript Number::toString is the JCS number form; -0 becomes "0".
      if (!Number.isFinite(value)) fail(path, `${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (ancestors.has(value)) fail(path, 'circular reference');
      ancestors.add(value);
      try {
        return Array.isArray(value) ? serializeArray(value, path, ancestors) : serializeObject(value, path, ancestors);
      } finally {
        ancestors.delete(value);
      }
    default:
      // undefined, bigint, function, symbol: no JSON form (bigint needs an explicit decision by the caller).
      return fail(path, `a ${typeof value} has no JSON form`);
  }
}

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) fail(path, 'string contains a lone surrogate (not valid Unicode)');
  // JSON.stringify escapes exactly what RFC 8785 3.2.2.2 requires, with lowercase \u00xx.
  return JSON.stringify(value);
}

function serializeArray(value: unknown[], path: string, ancestors: Set<object>): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ',';
    // Array.prototype iteration reads holes as undefined, which is refused.
    out += serialize(value[i], `${path}[${i}]`, ancestors);
  }
  return out + ']';
}

function serializeObject(value: object, path: string, ancestors: Set<object>): string {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    fail(path, `${proto?.constructor?.name ?? 'object'} is not plain JSON data`);
  }
  // Default sort compares UTF-16 code units, which is the RFC 8785 property order.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const childPath = `${path}.${key}`;
    if (i > 0) out += ',';
    out += serializeString(key, childPath) + ':' + serialize((value as Record<string, unknown>)[key], childPath, ancestors);
  }
  return out + '}';
}
