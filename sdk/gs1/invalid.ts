// Every GS1 rule violation surfaces as one coded SDK error naming the AI or field.

import { MedtraceError } from '../errors';

export function gs1Invalid(field: string, message: string, cause?: unknown): MedtraceError {
  return new MedtraceError('GS1_INVALID', `${field}: ${message}`, { field, cause });
}

/** Shows a character in an error message in a way a log line cannot garble. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return code >= 0x21 && code <= 0x7e ? `'${ch}' (U+${hex})` : `U+${hex}`;
}
