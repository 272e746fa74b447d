// Requests may carry text the node cannot keep: PostgreSQL refuses NUL (U+0000)
// in text and jsonb, and an unpaired UTF-16 surrogate is not Unicode (the
// canonical bytes of the ledger and the audit trail refuse it; a text column
// would silently get U+FFFD). A NUL can sit in the path, the query or a CSV
// body; in a JSON body both can only arrive as \u escapes, so a linear scan of
// the raw text finds them. Refused before any route runs: a 422 naming the
// parameter or JSON path, instead of a 500 from deep inside.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { problems } from './problem';

const HEX4 = /^[0-9a-fA-F]{4}$/;
/** NUL, or a surrogate standing alone (with the u flag a pair is one code point, never \p{Cs}). */
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** The offset of the first \u escape of NUL or of an unpaired surrogate in JSON text, or -1. */
export function findUnstorableEscape(text: string): number {
  for (let i = text.indexOf('\\'); i !== -1; i = text.indexOf('\\', i)) {
    if (text[i + 1] !== 'u') {
      i += 2; // any other escape, \\ included, is two characters
      continue;
    }
    const hex = text.slice(i + 2, i + 6);
    if (!HEX4.test(hex)) return -1; // not JSON: the parser answers
    const unit = parseInt(hex, 16);
    if (unit === 0) return i;
    if (unit >= 0xdc00 && unit <= 0xdfff) return i;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = text.slice(i + 6, i + 12);
      const next = low.startsWith('\\u') && HEX4.test(low.slice(2)) ? parseInt(low.slice(2), 16) : -1;
      if (next < 0xdc00 || next > 0xdfff) return i;
      i += 12;
      continue;
    }
    i += 6;
  }
  return -1;
}

/** The JSON path (`lines.0.lot`) of the first string holding NUL or an unpaired surrogate; iterative, for any depth. */
export function unstorablePath(value: unknown): string | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return path.join('.') || 'body';
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        if (UNSTORABLE.test(key)) return [...path, key].join('.');
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return undefined;
}

/** Refuses a path, query parameter, text (CSV) or JSON body holding NUL or an unpaired surrogate anywhere (422 invalid-input). */
export const refuseUnstorableText: MiddlewareHandler<AppEnv> = async (c, next) => {
  const refuse = (field: string, where = field): never => {
    throw problems.invalidInput(`${where}: text must not contain NUL (U+0000) or an unpaired surrogate`, field);
  };
  if (c.req.path.includes('\u0000')) refuse('path');
  for (const [name, value] of new URL(c.req.url).searchParams) {
    if (UNSTORABLE.test(name) || UNSTORABLE.test(value)) refuse(name.replace(/\u0000/g, '') || 'query');
  }
  const type = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : (c.req.header('content-type') ?? '');
  if (/^text\//i.test(type)) {
    // A CSV import: a NUL byte arrives as is (decoded UTF-8 holds no unpaired surrogate).
    const text = await c.req.text();
    const at = text.indexOf('\u0000');
    if (at !== -1) refuse('body', `body, line ${text.slice(0, at).split('\n').length}`);
  } else if (/json/i.test(type)) {
    // Cached by Hono: the route's validator (and a webhook's signature check) read the same text.
    const text = await c.req.text();
    if (findUnstorableEscape(text) !== -1) {
      let field = 'body';
      try {
        field = unstorablePath(JSON.parse(text)) ?? 'body';
      } catch {
        // not JSON after all: the body as a whole is at fault
      }
      refuse(field);
    }
  }
  await next();
};
