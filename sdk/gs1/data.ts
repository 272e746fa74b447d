// Checks Gs1Data handed to a formatter, so nothing invalid is ever written out.

import { ordered } from './ai';
import { validateLotOrSerial } from './charset';
import { formatGs1Date } from './date';
import { validateGtin } from './gtin';
import { gs1Invalid } from './invalid';
import type { Gs1Data, Gs1Options } from './types';

export interface CheckedGs1Data {
  data: Gs1Data;
  /** YYMMDD forms of the dates, for AIs (17) and (11). */
  expiry?: string;
  productionDate?: string;
}

export function checkGs1Data(data: Gs1Data, options: Gs1Options = {}): CheckedGs1Data {
  if (typeof data !== 'object' || data === null) throw gs1Invalid('gtin', 'GS1 data must be an object');
  const checked: Gs1Data = { gtin: validateGtin(data.gtin, 'gtin') };
  const out: CheckedGs1Data = { data: checked };
  if (data.lot !== undefined) checked.lot = validateLotOrSerial(data.lot, 'lot');
  if (data.serial !== undefined) checked.serial = validateLotOrSerial(data.serial, 'serial');
  if (data.expiry !== undefined) {
    out.expiry = formatGs1Date(data.expiry, 'expiry', options);
    checked.expiry = data.expiry;
  }
  if (data.productionDate !== undefined) {
    out.productionDate = formatGs1Date(data.productionDate, 'productionDate', options);
    checked.productionDate = data.productionDate;
  }
  out.data = ordered(checked);
  return out;
}
