// What the verification page asks of a bundle beyond verifyBundle: verifyBundle
// proves an event was anchored by its participant; the page must also know the
// event is about THIS unit and lot, and comes from the GTIN's registered maker.
// Each refusal has a code of its own (shown beside the SDK's codes).
import { lotUri, unitUri, type ProofBundle, type VerifiedBundle } from '../../sdk';

export const RELEASE_BIZSTEP = 'urn:medtrace:bizstep:releasing';

export type EvidenceCode = 'NOT_THE_MAKER' | 'NOT_COMMISSIONING' | 'LOT_MISMATCH' | 'EXPIRY_MISMATCH' | 'UNIT_NOT_DISCLOSED' | 'NOT_A_RELEASE' | 'NO_EVIDENCE';

export class EvidenceMismatch extends Error {
  constructor(
    readonly code: EvidenceCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'EvidenceMismatch';
  }
}

export interface EvidenceSubject {
  /** Lowercase address the registry resolves the GTIN to. */
  maker: string;
  gtin: string;
  lot: string;
  serial?: string;
  /** The expiry the code carries (ISO), when it carries one. */
  expiry?: string;
}

function checkMaker(verified: VerifiedBundle, subject: EvidenceSubject): void {
  if (verified.participant !== subject.maker) {
    throw new EvidenceMismatch('NOT_THE_MAKER', `the event was recorded by ${verified.participant}, not by the GTIN's registered maker ${subject.maker}`, 'envelope.participant');
  }
}

/** The commissioning event of the unit (or lot): by the maker, of this GTIN and lot, disclosing the unit. */
export function checkCommissioning(bundle: ProofBundle, verified: VerifiedBundle, subject: EvidenceSubject): void {
  checkMaker(verified, subject);
  const event = bundle.envelope.event;
  if (event.bizStep !== 'commissioning') {
    throw new EvidenceMismatch('NOT_COMMISSIONING', `the event is a ${event.bizStep ?? 'event without business step'}, not a commissioning`, 'envelope.event.bizStep');
  }
  const lot = commissionedLot(bundle);
  if (lot?.gtin !== subject.gtin || lot?.lot !== subject.lot) {
    throw new EvidenceMismatch('LOT_MISMATCH', `the event commissions lot ${String(lot?.lot)} of GTIN ${String(lot?.gtin)}, not lot ${subject.lot} of ${subject.gtin}`, 'envelope.event');
  }
  if (subject.expiry !== undefined && lot.expiry !== subject.expiry) {
    throw new EvidenceMismatch('EXPIRY_MISMATCH', `the lot was commissioned with expiry ${String(lot.expiry)}, the code says ${subject.expiry}`, 'envelope.event');
  }
  if (subject.serial !== undefined && !verified.units.includes(unitUri(subject.gtin, subject.serial))) {
    throw new EvidenceMismatch('UNIT_NOT_DISCLOSED', `the event does not disclose unit ${subject.serial} as one of its units`, 'units');
  }
}

/** The lot data a commissioning event records (`medtrace:lot`), as far as it is there. */
export function commissionedLot(bundle: ProofBundle): { gtin?: unknown; lot?: unknown; expiry?: unknown; productionDate?: unknown } | undefined {
  const lot = bundle.envelope.event['medtrace:lot'];
  return typeof lot === 'object' && lot !== null ? (lot as Record<string, unknown>) : undefined;
}

/** The release event of the lot: by the maker, QA's releasing step, naming the lot's class. */
export function checkRelease(bundle: ProofBundle, verified: VerifiedBundle, subject: EvidenceSubject): void {
  checkMaker(verified, subject);
  const event = bundle.envelope.event;
  const lotClass = lotUri(subject.gtin, subject.lot);
  if (event.bizStep !== RELEASE_BIZSTEP || !(event.quantityList ?? []).some((q) => q.epcClass === lotClass)) {
    throw new EvidenceMismatch('NOT_A_RELEASE', `the event is not a release of lot ${subject.lot} of ${subject.gtin}`, 'envelope.event');
  }
}
