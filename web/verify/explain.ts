// A malformed code explained in words: the SDK's GS1_INVALID error names the
// field and the rule in English (`(01): wrong check digit: 3, expected 2`); the
// page says which part of the code is wrong and why, in the reader's language.
// The rule is recognised from the SDK's message; what it cannot name it still
// shows, as the SDK said it.

export interface Explained {
  /** Message key of the field (field.*) and its variables. */
  field: { key: string; vars: Record<string, string> };
  /** Message key of the rule (rule.*) and its variables. */
  rule: { key: string; vars: Record<string, string> };
}

const RULES: { key: string; test: RegExp }[] = [
  { key: 'checkDigit', test: /wrong check digit: (?<actual>\d), expected (?<expected>\d)/ },
  { key: 'digitsOnly', test: /must contain only digits/ },
  { key: 'length', test: /must be (?:exactly )?[\d, or]+ digits, got \d+/ },
  { key: 'badDate', test: /bad date: (?<detail>.*)/ },
  { key: 'charset', test: /(?<detail>character .* outside GS1 character set 82)/ },
  { key: 'tooLong', test: /too long: (?<detail>.*)/ },
  { key: 'noGtin', test: /no GTIN/ },
  { key: 'duplicate', test: /duplicate AI/ },
  { key: 'separator', test: /missing separator/ },
  { key: 'truncated', test: /truncated: (?<detail>.*)/ },
  { key: 'unknownAi', test: /(?<detail>unknown or unsupported AI.*|AI \(\d+\) is not supported.*)/ },
  { key: 'notGs1', test: /not GS1 data/ },
  { key: 'percent', test: /bad percent-encoding/ },
  { key: 'notDigitalLink', test: /not a GS1 Digital Link|not an http\(s\) URI|no valid host/ },
  { key: 'symbology', test: /symbology identifier/ },
  { key: 'empty', test: /is empty|must not be empty|empty element/ },
];

const KNOWN_FIELDS = new Set(['(01)', 'gtin', '(10)', 'lot', '(21)', 'serial', '(17)', 'expiry', '(11)', 'productionDate', 'input', 'uri']);

export function explainGs1Error(error: { field?: string; message: string }): Explained {
  const field = error.field ?? 'input';
  const prefix = `${field}: `;
  const said = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const fieldPart: Explained['field'] = KNOWN_FIELDS.has(field)
    ? { key: `field.${field}`, vars: {} }
    : /^\(\d{2,4}\)$/.test(field)
      ? { key: 'field.ai', vars: { ai: field.slice(1, -1) } }
      : { key: 'field.input', vars: {} };
  for (const rule of RULES) {
    const match = rule.test.exec(said);
    if (match) {
      const vars: Record<string, string> = { detail: said, ...(match.groups ?? {}) };
      return { field: fieldPart, rule: { key: `rule.${rule.key}`, vars } };
    }
  }
  return { field: fieldPart, rule: { key: 'rule.other', vars: { detail: said } } };
}
