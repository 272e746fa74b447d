// EPC pure identity URIs the EPCIS events name locations with (GS1 Tag Data Standard):
// an SGLN needs to know where the GS1 Company Prefix ends, which the GLN itself does not say.

import { validateSet82 } from './charset';
import { gtinCheckDigit } from './gtin';
import { gs1Invalid } from './invalid';

/** Characters of set 82 the TDS requires percent-encoded in an EPC URI component. */
const URI_ESCAPED = /["%&/<>?]/g;

/**
 * `urn:epc:id:sgln:<companyPrefix>.<locationReference>.<extension>` for a GLN. The extension is
 * AI (254) (1 to 20 characters of set 82); `0` (the default) means "no extension".
 */
export function sglnUri(gln: string, companyPrefixLength: number, extension = '0'): string {
  if (typeof gln !== 'string' || !/^[0-9]{13}$/.test(gln)) throw gs1Invalid('gln', 'must be exactly 13 digits');
  const expected = gtinCheckDigit(gln.slice(0, 12));
  if (expected !== Number(gln[12])) throw gs1Invalid('gln', `wrong check digit: ${gln[12]}, expected ${expected}`);
  if (!Number.isInteger(companyPrefixLength) || companyPrefixLength < 6 || companyPrefixLength > 12) {
    throw gs1Invalid('companyPrefixLength', 'must be an integer from 6 to 12');
  }
  const ext = validateSet82(extension, 'extension', 20).replace(URI_ESCAPED, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `urn:epc:id:sgln:${gln.slice(0, companyPrefixLength)}.${gln.slice(companyPrefixLength, 12)}.${ext}`;
}
