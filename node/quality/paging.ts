// Keyset pages of quality records by id, with the cursor shape every list of
// the node uses (node/http/schemas.ts).
import { z } from '@hono/zod-openapi';
import { problems } from '../http/problem';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor } from '../http/schemas';

export async function pageById<T extends { id: number }>(
  query: { limit?: number; cursor?: string },
  fetch: (page: { afterId?: number; limit: number }) => Promise<T[]>,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const cursor = decodeCursor(query.cursor, 1)?.[0];
  const afterId = cursor === undefined ? undefined : Number(cursor);
  if (afterId !== undefined && !Number.isSafeInteger(afterId)) throw problems.invalidInput('cursor: not a cursor this server returned', 'cursor');
  const rows = await fetch({ afterId, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor([String(items[items.length - 1].id)]) : null };
}

/** `{id}` in a path: a record's numeric id. */
export const IdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a record id')
    .transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '1' }),
});

/** A text field of a quality record: trimmed, not empty. */
export function textSchema(max: number) {
  return z.string().trim().min(1, 'must not be empty').max(max);
}
