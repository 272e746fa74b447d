// JSON.parse reads any depth, but what the node does with a parsed body next
// (JSON.stringify when storing or forwarding it, canonical bytes, validation)
// recurses and overflows the stack some thousands of levels down: a 500 from
// a body of brackets. No request the API knows nests deeper than a few dozen
// levels, so a body nested deeper than MAX_JSON_DEPTH is refused at the door.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { problems } from './problem';

export const MAX_JSON_DEPTH = 100;

/** Whether JSON text nests arrays and objects deeper than `max` (strings skipped; linear, no parsing). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // an escape: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Refuses a JSON request body nested deeper than MAX_JSON_DEPTH (422 invalid-input, field body). */
export const refuseDeepJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && /json/i.test(c.req.header('content-type') ?? '')) {
    // Cached by Hono: the route reads the same text.
    if (nestsDeeperThan(await c.req.text(), MAX_JSON_DEPTH)) {
      throw problems.invalidInput(`body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`, 'body');
    }
  }
  await next();
};
