// The node's OpenAPI document read as a fuzzing plan: its operations with their
// path, query and body schemas; fast-check generators of requests that are
// almost right (the schema's types, enums and examples, adversarial contents)
// or plainly wrong (other types, huge strings, deep nesting, unicode, NUL,
// prototype keys, broken JSON); and the deterministic sweep's cases (one bad
// value at a time in an otherwise plain request).
import fc from 'fast-check';

/** The part of JSON Schema (OpenAPI 3.1) the node's document uses. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  example?: unknown;
  default?: unknown;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  nullable?: boolean;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface RawOperation {
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface Param {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `POST /api/v1/lots/{gtin}/{lot}/release` */
  key: string;
  method: string;
  path: string;
  pathParams: Param[];
  queryParams: Param[];
  body?: { contentType: string; schema: JsonSchema };
  /** Which credentials the document asks for. */
  auth: 'none' | 'staff' | 'peer';
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => {
        const params = op.parameters ?? [];
        const toParam = (p: (typeof params)[number]): Param => ({ name: p.name, required: p.required ?? false, schema: p.schema ?? { type: 'string' } });
        const content = op.requestBody?.content ?? {};
        const contentType = Object.keys(content)[0];
        const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
        return {
          key: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === 'path').map(toParam),
          queryParams: params.filter((p) => p.in === 'query').map(toParam),
          ...(contentType ? { body: { contentType, schema: content[contentType].schema ?? {} } } : {}),
          auth: schemes.includes('peerAuth') ? 'peer' : schemes.length > 0 ? 'staff' : 'none',
        } satisfies Operation;
      }),
  );
}

/** The schema with `$ref`s followed and `allOf` merged (one level is all the document needs). */
export function resolveSchema(schema: JsonSchema, doc: OpenApiDocument): JsonSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const { $ref: _ref, ...rest } = s;
    s = { ...(doc.components?.schemas?.[name] ?? {}), ...rest };
  }
  if (s.allOf) {
    const parts = s.allOf.map((part) => resolveSchema(part, doc));
    const { allOf: _allOf, ...rest } = s;
    s = parts.reduce<JsonSchema>(
      (merged, part) => ({
        ...merged,
        ...part,
        properties: { ...merged.properties, ...part.properties },
        required: [...(merged.required ?? []), ...(part.required ?? [])],
      }),
      rest,
    );
  }
  return s;
}

// ---------------------------------------------------------------------------
// Values

const GS = '\u001d';

/** Strings that are a string, but nothing a form would send: empty, blank, control characters, NUL, lone surrogates, injections, lookalikes. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '😀',
    'é',
    'İı',
    'Ａ０',
    '\u202e',
    '\ufeff',
    GS,
    `(01)09506000134352${GS}10L1`,
    "'; drop table users; --",
    '" or 1=1 --',
    '$1',
    '%00',
    '%',
    '%zz',
    '../../etc/passwd',
    '..%2f..%2f',
    '\\',
    '${7*7}',
    '{{7*7}}',
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'toString',
    'null',
    'undefined',
    'true',
    'NaN',
    'Infinity',
    '-0',
    '0',
    '-1',
    '1.5',
    '1e309',
    '0x10',
    '9223372036854775808',
    '99999999999999999999999',
    '2147483648',
    '2026-02-30',
    '2026-13-01',
    '0000-01-01',
    '9999-12-31',
    '275760-09-13',
    '2026-11-20T25:61:00Z',
    'https://id.gs1.org/01/09506000134352/21/SN%00',
    'https://',
    '09506000134352',
    '09506000134353',
    '9506000134352',
    '0x',
    '0xzz',
    `0x${'f'.repeat(64)}`,
    `0x${'0'.repeat(40)}`,
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 30 }),
  fc.integer({ min: 1, max: 4 }).map((k) => 'x'.repeat(k * 3000)),
);

/** Integers on every edge a column or a parser may have. */
const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, -1.5, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 53) - 2, 2 ** 63, 1e21, 1e308, -1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A structure nested `depth` levels. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** Stand-ins for values nested 30,000 deep, which only exist as text: jsonBody() splices the text in. */
const DEEP_ARRAY = '\u0001deep array\u0001';
const DEEP_OBJECT = '\u0001deep object\u0001';
const DEEP_DEPTH = 30_000;
const DEEP_TEXT: Record<string, string> = {
  [JSON.stringify(DEEP_ARRAY)]: '['.repeat(DEEP_DEPTH) + ']'.repeat(DEEP_DEPTH),
  [JSON.stringify(DEEP_OBJECT)]: '{"a":'.repeat(DEEP_DEPTH) + '1' + '}'.repeat(DEEP_DEPTH),
};

/** Any value of the wrong kind for a property. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  edgeNumber,
  fc.constantFrom(null, true, false, [], {}, [null], [[]], { '': '' }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 1, max: 3 }).map((k) => nested(k * 1000, 'array')),
  fc.integer({ min: 1, max: 3 }).map((k) => nested(k * 1000, 'object')),
  // Deeper than JSON.stringify can go (about 5,000 levels): spliced into the body's text by jsonBody.
  fc.constantFrom(DEEP_ARRAY, DEEP_OBJECT),
  fc.integer({ min: 1, max: 2 }).map((k) => Array.from({ length: k * 5000 }, (_, i) => i)),
  fc.constant(JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}')),
);

/** Keys a parser or a merge may treat specially. */
export const nastyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toJSON', 'valueOf', '', ' ', '$where', 'a.b', 'a[0]', '\u0000', '😀'),
  fc.string({ maxLength: 10 }),
);

const SMALL_CAP = 50;

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 200;
  const fits = (s: string) => s.length >= min && s.length <= max;
  const choices: fc.Arbitrary<string>[] = [nastyString.filter(fits), fc.string({ minLength: min, maxLength: Math.min(max, 40) })];
  if (typeof schema.example === 'string') choices.push(fc.constant(schema.example), fc.constant(schema.example), fc.constant(schema.example));
  if (schema.format === 'date') choices.push(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
  if (schema.format === 'date-time') choices.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
  if (max >= 1000) choices.push(fc.constant('y'.repeat(max)));
  return fc.oneof(...choices);
}

function numberOf(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : Number.EPSILON) : undefined);
  const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : Number.EPSILON) : undefined);
  const min = low ?? -SMALL_CAP;
  // Kept small: a valid "serialCount: 1000000" would commission a million units.
  const max = Math.min(high ?? SMALL_CAP, Math.max(min, 0) + SMALL_CAP);
  const inRange = integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) }) : fc.double({ min, max: Math.max(min, max), noNaN: true });
  const edges = [low !== undefined ? low - 1 : undefined, high !== undefined ? high + 1 : undefined, 2 ** 31, 2 ** 53 - 1, 2 ** 63, 1e21].filter((n): n is number => n !== undefined);
  return fc.oneof({ arbitrary: inRange, weight: 4 }, { arbitrary: fc.constantFrom(...edges), weight: 1 });
}

/**
 * Values that mostly fit `schema` (its types, enums, required properties, examples, bounds),
 * with adversarial contents: what gets past the validator and reaches the handler.
 */
export function almostValid(schema: JsonSchema, doc: OpenApiDocument, depth = 0): fc.Arbitrary<unknown> {
  const s = resolveSchema(schema, doc);
  if (depth > 6) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.oneof({ arbitrary: fc.constantFrom(...s.enum), weight: 5 }, { arbitrary: nastyString, weight: 1 });
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alt) => almostValid(alt, doc, depth + 1)));
  switch (typeOf(s)) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return numberOf(s, true);
    case 'number':
      return numberOf(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = s.minItems ?? 0;
      return fc.array(almostValid(s.items ?? {}, doc, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 4, 4)) });
    }
    case 'object': {
      const properties = s.properties ?? {};
      const required = s.required ?? [];
      const record = Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, almostValid(p, doc, depth + 1)]));
      return fc.record(record, { requiredKeys: required.filter((name) => name in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** The value with one property (at any depth of objects) replaced, or a key added. */
function spoil(value: unknown, path: readonly number[], replacement: unknown, extraKey: string | undefined): unknown {
  if (typeof value !== 'object' || value === null) return replacement;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...value };
  const keys = Object.keys(copy);
  if (extraKey !== undefined && path.length === 0) {
    Object.defineProperty(copy, extraKey, { value: replacement, enumerable: true, configurable: true, writable: true });
    return copy;
  }
  if (keys.length === 0) return replacement;
  const key = keys[path[0] % keys.length];
  copy[key] = path.length <= 1 ? replacement : spoil(copy[key], path.slice(1), replacement, extraKey);
  return copy;
}

/** A request body: its raw text and content type (JSON ones may be neither JSON nor what the schema wants). */
export interface FuzzBody {
  text: string;
  contentType: string;
  /** What the body is, for reports. */
  kind: string;
}

/** A JSON body of `value`, the deep stand-ins spliced in as text. */
export function jsonBody(value: unknown, kind: string): FuzzBody {
  let text = JSON.stringify(value) ?? 'null';
  for (const [standIn, deep] of Object.entries(DEEP_TEXT)) {
    if (text.includes(standIn)) {
      text = text.split(standIn).join(deep);
      kind += ', nested 30,000 deep inside';
    }
  }
  return { text, contentType: 'application/json', kind };
}

/** Raw texts a JSON parser must refuse or survive. */
const rawBodies: fc.Arbitrary<FuzzBody> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '{',
    '{"a":',
    '[1,]',
    "{'a':1}",
    '\ufeff{}',
    'null',
    '0',
    '"x"',
    '{"a":1e999}',
    '{"a":-1e999}',
    '{"a":1}{"b":2}',
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    '{"a":1,"a":2}',
  ).map((text) => ({ text, contentType: 'application/json', kind: `raw ${JSON.stringify(text.slice(0, 30))}` })),
  fc.integer({ min: 1, max: 3 }).map((k) => ({ text: '['.repeat(k * 20000) + ']'.repeat(k * 20000), contentType: 'application/json', kind: `array nested ${k * 20000} deep` })),
  fc.integer({ min: 1, max: 2 }).map((k) => ({ text: '{"a":'.repeat(k * 20000) + '1' + '}'.repeat(k * 20000), contentType: 'application/json', kind: `object nested ${k * 20000} deep` })),
  fc.constant({ text: JSON.stringify({ a: 'z'.repeat(2 * 1024 * 1024) }), contentType: 'application/json', kind: '2 MB string' }),
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'text/csv').map((contentType) => ({
    text: 'a=1&b=2',
    contentType,
    kind: `content type ${contentType}`,
  })),
);

/** Bodies for an operation: almost valid, one property spoiled, a nasty key added, any JSON, or raw text. */
export function bodiesFor(op: Operation, doc: OpenApiDocument): fc.Arbitrary<FuzzBody> {
  if (op.body?.contentType === 'text/csv') {
    const cell = fc.oneof(nastyString, fc.string({ maxLength: 12 }));
    const csv = fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), { minLength: 0, maxLength: 6 }).map((rows) => rows.map((r) => r.join(',')).join('\n'));
    return fc.oneof(
      csv.map((text) => ({ text, contentType: 'text/csv', kind: 'csv' })),
      fc.constantFrom('"unclosed', 'a,"b""c",d\r\n', '\ufeffgtin\n', ',,,\n,,,').map((text) => ({ text, contentType: 'text/csv', kind: 'raw csv' })),
      rawBodies,
    );
  }
  const schema = op.body?.schema ?? {};
  const base = almostValid(schema, doc);
  return fc.oneof(
    { arbitrary: base.map((v) => jsonBody(v, 'almost valid')), weight: 4 },
    {
      arbitrary: fc.tuple(base, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), nastyValue).map(([v, path, bad]) => jsonBody(spoil(v, path, bad, undefined), 'one property spoiled')),
      weight: 4,
    },
    { arbitrary: fc.tuple(base, nastyKey, nastyValue).map(([v, key, bad]) => jsonBody(spoil(v, [], bad, key), 'nasty key added')), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => jsonBody(v, 'any JSON')), weight: 1 },
    { arbitrary: rawBodies, weight: 2 },
  );
}

const utf8 = new TextEncoder();
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Percent-encodes everything but unreserved characters, as UTF-8 (a lone surrogate as U+FFFD, where encodeURIComponent would throw). */
export function encodeComponent(value: string): string {
  let out = '';
  for (const ch of value) {
    if (UNRESERVED.test(ch)) out += ch;
    else for (const byte of utf8.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Already-encoded text sent as is: broken percent-escapes, an encoded surrogate or NUL, an encoded slash. */
const rawEncoded = fc.constantFrom('%', '%zz', '%E0%A4', '%ED%A0%80', '%C0%AF', '%00', '%2F', '..', '.', '%2e%2e', 'a%20b', '%FF%FE');

/** A path parameter value: a known good one (`known`), anything percent-encoded, or raw broken encodings. */
export function pathValue(param: Param, known: readonly string[]): fc.Arbitrary<string> {
  const good = known.length > 0 ? fc.constantFrom(...known) : fc.constant('1');
  return fc.oneof(
    { arbitrary: good.map(encodeComponent), weight: 2 },
    { arbitrary: nastyString.filter((s) => s.length < 5000).map(encodeComponent), weight: 3 },
    { arbitrary: rawEncoded, weight: 1 },
  );
}

/** A query string: declared parameters with good, almost valid or nasty values, sometimes repeated, plus junk. */
export function queryFor(op: Operation, doc: OpenApiDocument, known: Record<string, readonly string[]>): fc.Arbitrary<string> {
  const value = (p: Param) => {
    const good = known[p.name] ?? [];
    const fromSchema = almostValid(p.schema, doc).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''));
    return fc.oneof(...(good.length > 0 ? [fc.constantFrom(...good)] : []), fromSchema, nastyString.filter((s) => s.length < 5000));
  };
  const declared = fc.tuple(
    ...op.queryParams.map((p) => fc.option(fc.tuple(value(p), fc.boolean()), { nil: undefined, freq: 2 }).map((v) => [p.name, v] as const)),
  );
  const junk = fc.array(fc.tuple(nastyKey, nastyString.filter((s) => s.length < 200)), { maxLength: 2 });
  const raw = fc.option(rawEncoded, { nil: undefined, freq: 4 });
  return fc.tuple(declared, junk, raw).map(([pairs, extra, broken]) => {
    const parts: string[] = [];
    for (const [name, v] of pairs) {
      if (v === undefined) continue;
      const [text, repeat] = v;
      parts.push(`${encodeComponent(name)}=${encodeComponent(text)}`);
      if (repeat) parts.push(`${encodeComponent(name)}=${encodeComponent(text)}x`);
    }
    for (const [k, v] of extra) parts.push(`${encodeComponent(k)}=${encodeComponent(v)}`);
    if (broken !== undefined && parts.length > 0) parts[0] += broken;
    return parts.length > 0 ? `?${parts.join('&')}` : '';
  });
}

// ---------------------------------------------------------------------------
// The deterministic sweep: one bad value at a time in an otherwise plain request

/** A plain value of `schema`: a known value for a property of that name, its example, first enum value, the least the bounds allow. */
export function plainValue(schema: JsonSchema, doc: OpenApiDocument, known: Record<string, readonly string[]> = {}, name?: string, depth = 0): unknown {
  const s = resolveSchema(schema, doc);
  const good = name === undefined ? undefined : known[name]?.[0];
  if (good !== undefined) {
    const type = typeOf(s);
    if (type === 'string') return good;
    if ((type === 'integer' || type === 'number') && /^\d+$/.test(good)) return Number(good);
  }
  if (s.const !== undefined) return s.const;
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return plainValue(alternatives[0], doc, known, name, depth + 1);
  switch (typeOf(s)) {
    case 'string':
      return s.format === 'date' ? '2026-11-20' : s.format === 'date-time' ? '2026-11-20T10:00:00Z' : 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1));
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 ? [] : Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => plainValue(s.items ?? {}, doc, known, name?.replace(/s$/, ''), depth + 1));
    case 'object': {
      if (depth > 4) return {};
      const properties = s.properties ?? {};
      return Object.fromEntries((s.required ?? []).filter((key) => key in properties).map((key) => [key, plainValue(properties[key], doc, known, key, depth + 1)]));
    }
    default:
      return 'x';
  }
}

/** A place in a body: the path of keys and array indexes, the schema there, and the places holding it (outermost first). */
interface Slot {
  path: (string | number)[];
  schema: JsonSchema;
  ancestors: { path: (string | number)[]; schema: JsonSchema }[];
}

/** Every property of the body's schema, and those of the first item of its arrays of objects, two levels down. */
function slotsOf(schema: JsonSchema, doc: OpenApiDocument, path: (string | number)[] = [], ancestors: Slot['ancestors'] = [], depth = 0): Slot[] {
  const s = resolveSchema(schema, doc);
  if (depth > 2) return [];
  if (typeOf(s) === 'object' && s.properties) {
    return Object.entries(s.properties).flatMap(([name, p]) => {
      const slot = { path: [...path, name], schema: p, ancestors };
      return [slot, ...slotsOf(p, doc, slot.path, [...ancestors, { path: slot.path, schema: p }], depth + 1)];
    });
  }
  if (typeOf(s) === 'array' && s.items) return slotsOf(s.items, doc, [...path, 0], ancestors, depth + 1);
  return [];
}

function getAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[key] : undefined), value);
}

function setAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const list = Array.isArray(value) ? [...value] : [];
    list[head] = setAt(list[head] ?? {}, rest, replacement);
    return list;
  }
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
  object[head] = setAt(object[head], rest, replacement);
  return object;
}

/** Bad values for a slot of this type: text Postgres cannot hold, numbers no column can, the wrong kind, size and depth. */
function badValuesFor(schema: JsonSchema, doc: OpenApiDocument): unknown[] {
  const s = resolveSchema(schema, doc);
  const common = [null, DEEP_OBJECT];
  switch (typeOf(s)) {
    case 'string':
      return ['a\u0000b', 'a\ud800b', 'x'.repeat(20_000), 2 ** 31, ...common];
    case 'integer':
    case 'number':
      return [2 ** 31, 2 ** 53 - 1, -1, ...common];
    case 'array':
      return [[], ['a\u0000'], Array.from({ length: 20_000 }, () => 1), ...common];
    case 'object':
      return [[], JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'), ...common];
    default:
      return ['a\u0000b', 2 ** 31, ...common];
  }
}

export interface SweepCase {
  label: string;
  path: string;
  query: string;
  body?: FuzzBody;
}

const cursorOf = (parts: unknown) => Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
/** Values of a path or query parameter, encoded. */
const BAD_PARAMS = ['a%00b', '%ED%A0%80', 'x'.repeat(5000), '-1', '2147483648', '99999999999999999999', '%2F'];
const BAD_CURSORS = [cursorOf(['x']), cursorOf(['\u0000']), cursorOf(['99999999999999999999']), cursorOf(['a', 'b', 'x', 'd']), cursorOf([1]), cursorOf({}), '!!!', 'x'.repeat(499)];

/**
 * One request per bad value per place: each path parameter, each query parameter (the others
 * left out), each body property; everything else plain (`known` values, schema examples).
 */
export function sweepCases(op: Operation, doc: OpenApiDocument, known: Record<string, readonly string[]>): SweepCase[] {
  const plainParam = (name: string) => encodeComponent(known[name]?.[0] ?? '1');
  const pathWith = (name?: string, value?: string) => op.path.replace(/\{(\w+)\}/g, (_, p: string) => (p === name ? value! : plainParam(p)));
  const basePath = pathWith();
  const baseBody = op.body && op.method !== 'GET' && op.body.contentType.includes('json') ? plainValue(op.body.schema, doc, known) : undefined;
  const bodyOf = (value: unknown) => (value === undefined ? undefined : jsonBody(value, 'sweep'));
  const cases: SweepCase[] = [];
  for (const p of op.pathParams) {
    for (const bad of BAD_PARAMS) cases.push({ label: `path ${p.name}=${bad.slice(0, 20)}`, path: pathWith(p.name, bad), query: '', body: bodyOf(baseBody) });
  }
  for (const p of op.queryParams) {
    for (const bad of p.name === 'cursor' ? [...BAD_CURSORS, ...BAD_PARAMS] : BAD_PARAMS) {
      cases.push({ label: `query ${p.name}=${bad.slice(0, 20)}`, path: basePath, query: `?${encodeComponent(p.name)}=${bad}`, body: bodyOf(baseBody) });
    }
  }
  if (baseBody !== undefined) {
    cases.push({ label: 'plain body', path: basePath, query: '', body: bodyOf(baseBody) });
    for (const slot of slotsOf(op.body!.schema, doc)) {
      // An optional object or array the slot sits in is filled in plainly first.
      let base: unknown = baseBody;
      for (const ancestor of slot.ancestors) {
        if (getAt(base, ancestor.path) === undefined) base = setAt(base, ancestor.path, plainValue(ancestor.schema, doc, known, String(ancestor.path.at(-1))));
      }
      for (const bad of badValuesFor(slot.schema, doc)) {
        cases.push({ label: `body ${slot.path.join('.')}=${JSON.stringify(bad)?.slice(0, 30)}`, path: basePath, query: '', body: bodyOf(setAt(base, slot.path, bad)) });
      }
    }
  }
  return cases;
}
