// The SDK's one error type. Every failure an SDK caller can see carries a
// stable `code` (what failed), an optional `field` (where) and the `cause`.

export type MedtraceErrorCode =
  // identifiers
  | 'GS1_INVALID'
  // input shape
  | 'INVALID_INPUT'
  | 'CANONICALIZATION_FAILED'
  // Merkle proofs
  | 'INDEX_OUT_OF_RANGE'
  | 'PROOF_LENGTH_MISMATCH'
  | 'ROOT_MISMATCH'
  // bundles
  | 'BUNDLE_MALFORMED'
  | 'UNSUPPORTED_VERSION'
  | 'LEAF_MISMATCH'
  | 'UNIT_NOT_IN_SET'
  | 'INCLUSION_FAILED'
  | 'RANGE_MISMATCH'
  | 'CHAIN_MISMATCH'
  | 'PARTICIPANT_MISMATCH'
  | 'ROOT_NOT_ON_CHAIN'
  | 'BATCH_NOT_FOUND'
  | 'TX_MISMATCH'
  | 'PARTICIPANT_INACTIVE'
  | 'PARTICIPANT_REVOKED'
  | 'CHAIN_UNAVAILABLE'
  // node API client
  | 'HTTP_ERROR';

export interface MedtraceErrorOptions {
  /** The field, path or GS1 AI the error is about, e.g. `gtin`, `(17)`, `anchor.root`. */
  field?: string;
  cause?: unknown;
}

export class MedtraceError extends Error {
  readonly code: MedtraceErrorCode;
  readonly field?: string;

  constructor(code: MedtraceErrorCode, message: string, options: MedtraceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MedtraceError';
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
  }
}

export function isMedtraceError(value: unknown, code?: MedtraceErrorCode): value is MedtraceError {
  return value instanceof MedtraceError && (code === undefined || value.code === code);
}
