// The SDK's GS1 module: GTINs, dates, element strings and Digital Links.

export type { Gs1Data, Gs1Options } from './types';
export { gtinCheckDigit, validateGtin } from './gtin';
export { isSet82Char, validateLotOrSerial } from './charset';
export { formatGs1Date, parseGs1Date, resolveGs1Year } from './date';
export {
  GS as GS1_SEPARATOR,
  parseBracketedElementString,
  parseRawElementString,
  toElementString,
  toRawElementString,
} from './elementString';
export {
  DEFAULT_RESOLVER as DEFAULT_GS1_RESOLVER,
  encodeDigitalLinkValue,
  lotUri,
  parseDigitalLink,
  toDigitalLink,
  unitUri,
} from './digitalLink';
export { parseElementString, parseGs1 } from './parse';
export { normalizeScannedGs1, parseScannedGs1 } from './scanned';
export {
  parseCaseDigitalLink,
  parseGs1Case,
  toCaseDigitalLink,
  toCaseElementString,
  toRawCaseElementString,
  validateSscc,
  type Gs1CaseData,
} from './case';
export { sglnUri } from './epc';
