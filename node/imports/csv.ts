// A small RFC 4180 CSV parser: comma-separated fields, fields in double quotes
// may hold commas, line breaks and doubled quotes (""), records end with CRLF
// or LF, a UTF-8 byte order mark is ignored, a final line break is optional.
// Errors name the line: an unterminated quoted field, a quote inside an
// unquoted field, text after a closing quote.

export interface CsvRecord {
  /** 1-based line on which the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError('a quoted field is not closed', start);
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          value += ch;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          throw new CsvSyntaxError('text after a closing quote (double a quote inside a quoted field: "")', line);
        }
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n' && !(text[j] === '\r' && text[j + 1] === '\n')) {
          if (text[j] === '"') throw new CsvSyntaxError('a quote inside an unquoted field (quote the whole field)', line);
          j++;
        }
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    // end of record: CRLF, LF or end of text
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    // a blank line (one empty field) is skipped
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}
