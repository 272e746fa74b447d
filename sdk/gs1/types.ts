// The shapes shared by every GS1 parser and formatter in the SDK.

/** What medtrace reads from a GS1 element string or Digital Link. Dates are ISO `YYYY-MM-DD`. */
export interface Gs1Data {
  /** Always 14 digits with a valid check digit once parsed. */
  gtin: string;
  /** AI (10), 1 to 20 characters of GS1 character set 82. */
  lot?: string;
  /** AI (21), 1 to 20 characters of GS1 character set 82. */
  serial?: string;
  /** AI (17); a day of 00 already resolved to the month's last day. */
  expiry?: string;
  /** AI (11); a day of 00 already resolved to the month's last day. */
  productionDate?: string;
}

export interface Gs1Options {
  /** The moment the GS1 century window (General Specifications 7.12) is computed from; defaults to now. */
  now?: Date;
}
