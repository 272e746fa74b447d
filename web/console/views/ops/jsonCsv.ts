// A JSON list of rows as the CSV the node's imports read (RFC 4180), so a
// JSON file goes through the one set of import rules and its errors name the
// same rows: item 0 is row 2, as the header is row 1.

/** The JSON is not a list of flat rows: names the item (and its row) and the key. */
export class JsonRowsError extends Error {
  override name = 'JsonRowsError';
}

function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** `[{…}, …]` (or `{ "rows": [...] }`) → CSV with a header row of every key, in first-seen order. */
export function csvFromJson(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new JsonRowsError(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const rows = Array.isArray(parsed) ? parsed : (parsed as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) throw new JsonRowsError('expected an array of rows, or an object with a "rows" array');
  if (rows.length === 0) throw new JsonRowsError('the array holds no rows');
  const columns: string[] = [];
  rows.forEach((row, index) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new JsonRowsError(`item ${index} (row ${index + 2}) is not an object of column values`);
    for (const [key, value] of Object.entries(row)) {
      if (value !== null && typeof value === 'object') throw new JsonRowsError(`item ${index} (row ${index + 2}), field ${key}: must be a text, number or true/false, not a nested object or list`);
      if (!columns.includes(key)) columns.push(key);
    }
  });
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows as Record<string, unknown>[]) {
    lines.push(columns.map((column) => csvCell(row[column] === undefined || row[column] === null ? '' : String(row[column]))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
