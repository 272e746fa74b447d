// A CSV file as a table of named columns, and the validation report every
// import answers with: each error names the row (the spreadsheet row: the
// header is row 1), the field (the column) and the rule it breaks.
import type { z } from '@hono/zod-openapi';
import { CsvSyntaxError, parseCsv } from './csv';

export interface ImportError {
  /** Spreadsheet row: the header is row 1, the first data row is row 2. */
  row: number;
  /** The column (field) at fault, or `file` for the file as a whole. */
  field: string;
  /** A stable name of the rule: `required`, `invalid`, `duplicate-in-file`, `exists`, `unknown-column`, … */
  rule: string;
  message: string;
}

export interface CsvRow {
  row: number;
  values: Record<string, string>;
}

export interface CsvTable {
  rows: CsvRow[];
  /** File-level errors (syntax, columns): the file cannot be imported at all. */
  errors: ImportError[];
}

/** Column names are matched without case, spaces, `_` or `-`: `Device class`, `device_class`, `deviceClass`. */
const squash = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');

export function readTable(text: string, columns: { known: readonly string[]; required: readonly string[] }): CsvTable {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { rows: [], errors: [{ row: error.line, field: 'file', rule: 'csv-syntax', message: error.message }] };
    throw error;
  }
  if (records.length === 0) return { rows: [], errors: [{ row: 1, field: 'file', rule: 'empty', message: 'the file has no header row' }] };
  const byName = new Map(columns.known.map((name) => [squash(name), name]));
  const header = records[0].fields.map((name) => byName.get(squash(name.trim())));
  const errors: ImportError[] = [];
  records[0].fields.forEach((name, index) => {
    if (header[index] === undefined) {
      errors.push({ row: 1, field: name, rule: 'unknown-column', message: `unknown column "${name}"; the columns are ${columns.known.join(', ')}` });
    } else if (header.indexOf(header[index]) !== index) {
      errors.push({ row: 1, field: name, rule: 'duplicate-column', message: `column ${header[index]} appears twice` });
    }
  });
  for (const name of columns.required) {
    if (!header.includes(name)) errors.push({ row: 1, field: name, rule: 'missing-column', message: `the required column ${name} is missing` });
  }
  const rows: CsvRow[] = [];
  records.slice(1).forEach((record, index) => {
    const row = index + 2;
    if (record.fields.length !== header.length) {
      errors.push({ row, field: 'file', rule: 'field-count', message: `row ${row} has ${record.fields.length} fields, the header has ${header.length}` });
      return;
    }
    const values: Record<string, string> = {};
    record.fields.forEach((value, i) => {
      const name = header[i];
      if (name !== undefined) values[name] = value.trim();
    });
    rows.push({ row, values });
  });
  return { rows, errors };
}

/** Validates one row's object with a schema; the issues as import errors of that row. */
export function validateRow<T extends z.ZodTypeAny>(schema: T, row: number, input: unknown): { value?: z.output<T>; errors: ImportError[] } {
  const result = schema.safeParse(input);
  if (result.success) return { value: result.data, errors: [] };
  const errors = result.error.issues.map((issue) => {
    const field = issue.path.length === 0 ? 'row' : issue.path.map(String).join('.');
    const missing = issue.code === 'invalid_type' && (input as Record<string, unknown>)?.[String(issue.path[0])] === undefined;
    return { row, field, rule: missing ? 'required' : 'invalid', message: missing ? `${field} is required` : `${field}: ${issue.message}` };
  });
  return { errors };
}

/** An empty cell is absent; a number column is a number when it looks like one (else left for the schema to refuse). */
export function cell(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function numberCell(value: string | undefined): number | string | undefined {
  const text = cell(value);
  if (text === undefined) return undefined;
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

export function booleanCell(value: string | undefined): boolean | string | undefined {
  const text = cell(value)?.toLowerCase();
  if (text === undefined) return undefined;
  if (['true', 'yes', 'y', '1'].includes(text)) return true;
  if (['false', 'no', 'n', '0'].includes(text)) return false;
  return value;
}

/** Errors in file order: by row, then by the column's place in `columns` (file-level fields first). */
export function sortErrors(errors: ImportError[], columns: readonly string[]): ImportError[] {
  const rank = (field: string) => {
    const index = columns.indexOf(field);
    return index === -1 ? -1 : index;
  };
  return errors.sort((a, b) => a.row - b.row || rank(a.field) - rank(b.field));
}
