// GS1 Digital Link URIs (uncompressed): `{scheme}://{host}{/prefix}/01/{gtin}[/22/…][/10/{lot}][/21/{serial}][?17=…&11=…]`.
// Reading is strict about the path order the standard fixes; writing is canonical.

import { aiField, aiSpec, assembleGs1Data, type AiElement } from './ai';
import { checkGs1Data } from './data';
import { validateGtin } from './gtin';
import { gs1Invalid } from './invalid';
import type { Gs1Data, Gs1Options } from './types';

export const DEFAULT_RESOLVER = 'https://id.gs1.org';

const URI = /^(https?):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/is;
const HOST = /^[A-Za-z0-9._~\-[\]:%@!$&'()*+,;=]+$/;
/** Path AIs after the primary key (01), in the order the standard fixes. */
const QUALIFIER_ORDER = ['22', '10', '21'];
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const utf8 = new TextEncoder();

export function decode(value: string, field: string): string {
  try {
    return decodeURIComponent(value);
  } catch (cause) {
    throw gs1Invalid(field, 'bad percent-encoding', cause);
  }
}

/** Percent-encodes everything outside RFC 3986 unreserved characters, hex in upper case. */
export function encodeDigitalLinkValue(value: string): string {
  let out = '';
  for (const ch of value) {
    if (UNRESERVED.test(ch)) out += ch;
    else for (const byte of utf8.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function pathElements(path: string): AiElement[] {
  const segments = path.split('/').slice(1);
  if (segments.length > 0 && segments[segments.length - 1] === '') {
    throw gs1Invalid('uri', 'Digital Link path must not end with "/"');
  }
  // Read (AI, value) pairs from the end back to the primary key; what precedes it is the
  // resolver's own path prefix.
  const pairs: AiElement[] = [];
  let end = segments.length;
  let stoppedAt: string | undefined;
  while (end >= 2) {
    const ai = segments[end - 2];
    if (ai !== '01' && !QUALIFIER_ORDER.includes(ai)) {
      stoppedAt = ai;
      break;
    }
    pairs.unshift({ ai, value: segments[end - 1] });
    end -= 2;
    if (ai === '01') break;
  }
  if (pairs.length === 0 || pairs[0].ai !== '01') {
    if (stoppedAt !== undefined && /^[0-9]{2,4}$/.test(stoppedAt)) {
      throw gs1Invalid(aiField(stoppedAt), `AI (${stoppedAt}) is not supported in a Digital Link path; the primary key must be (01)`);
    }
    throw gs1Invalid('(01)', 'not a GS1 Digital Link: no /01/{gtin} in the path');
  }
  let last = -1;
  for (const pair of pairs.slice(1)) {
    const rank = QUALIFIER_ORDER.indexOf(pair.ai);
    if (rank === last) throw gs1Invalid(aiField(pair.ai), `duplicate AI (${pair.ai})`);
    if (rank < last) {
      throw gs1Invalid(aiField(pair.ai), `path order must be /01/…/10/…/21/…; (${pair.ai}) is out of place`);
    }
    last = rank;
  }
  return pairs.map(({ ai, value }) => {
    const decoded = decode(value, aiField(ai));
    // A Digital Link may carry GTIN-8, -12 or -13; element strings always carry 14 digits.
    return { ai, value: ai === '01' ? validateGtin(decoded, '(01)') : decoded };
  });
}

function queryElements(query: string): AiElement[] {
  const out: AiElement[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq === -1 ? part : part.slice(0, eq), 'uri');
    // Non-numeric keys (linkType, context, …) are for the resolver, not data.
    if (!/^[0-9]+$/.test(key)) continue;
    const s = aiSpec(key);
    if (!s) throw gs1Invalid(aiField(key), `unknown or unsupported AI (${key})`);
    if (key === '01' || QUALIFIER_ORDER.includes(key)) {
      throw gs1Invalid(aiField(key), `AI (${key}) belongs in the Digital Link path, not the query`);
    }
    out.push({ ai: key, value: eq === -1 ? '' : decode(part.slice(eq + 1), aiField(key)) });
  }
  return out;
}

/** The path and query of an http(s) URI with a valid host. */
export function splitUri(uri: string): { path: string; query: string } {
  const match = typeof uri === 'string' ? URI.exec(uri) : null;
  if (!match) throw gs1Invalid('uri', 'not an http(s) URI');
  const [, , host, path, query] = match;
  if (!HOST.test(host)) throw gs1Invalid('uri', 'the URI has no valid host');
  return { path, query: query ?? '' };
}

export function parseDigitalLink(uri: string, options: Gs1Options = {}): Gs1Data {
  const { path, query } = splitUri(uri);
  return assembleGs1Data([...pathElements(path), ...queryElements(query)], options);
}

export function checkResolver(resolver: string): string {
  const match = typeof resolver === 'string' ? URI.exec(resolver) : null;
  if (!match || match[4] !== undefined || resolver.includes('#') || !HOST.test(match[2])) {
    throw gs1Invalid('resolver', 'must be an http(s) URL without query or fragment, e.g. https://id.gs1.org');
  }
  return resolver.replace(/\/+$/, '');
}

/**
 * The canonical Digital Link: `/01/{gtin14}[/10/{lot}][/21/{serial}]` then `?17=…&11=…`
 * when the dates are present; lot and serial percent-encoded.
 */
export function toDigitalLink(data: Gs1Data, resolver: string = DEFAULT_RESOLVER, options: Gs1Options = {}): string {
  const base = checkResolver(resolver);
  const checked = checkGs1Data(data, options);
  let uri = `${base}/01/${checked.data.gtin}`;
  if (checked.data.lot !== undefined) uri += `/10/${encodeDigitalLinkValue(checked.data.lot)}`;
  if (checked.data.serial !== undefined) uri += `/21/${encodeDigitalLinkValue(checked.data.serial)}`;
  const query: string[] = [];
  if (checked.expiry !== undefined) query.push(`17=${checked.expiry}`);
  if (checked.productionDate !== undefined) query.push(`11=${checked.productionDate}`);
  return query.length > 0 ? `${uri}?${query.join('&')}` : uri;
}

/** A unit's EPC: GTIN + serial, no lot (the EPCIS 2.0 canonical SGTIN URI). */
export function unitUri(gtin: string, serial: string, resolver: string = DEFAULT_RESOLVER): string {
  return toDigitalLink({ gtin, serial }, resolver);
}

/** A lot's EPC class: GTIN + lot. */
export function lotUri(gtin: string, lot: string, resolver: string = DEFAULT_RESOLVER): string {
  return toDigitalLink({ gtin, lot }, resolver);
}
