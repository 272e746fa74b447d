// The public verification answer for one unit (or lot), shaped after the GS1
// Lightweight Messaging Standard for Verification of Product Identifiers:
// `verified`, a `verificationFailureReason` from its code list when the
// identifiers do not match, `additionalInfo` (Recalled, Expired), the
// responder's GLN and a timestamp; plus the proof bundles of the unit's
// commissioning and its lot's release, so the page checks them against the
// chain itself, and the recalls on the RecallBoard. Nothing commercial, nothing
// about patients or where the unit is.
import type { BoardRecall, ProofBundle } from '../../sdk';
import { boardRecallsFor, unitUri } from '../../sdk';
import type { NodeContext } from '../context';
import { buildBundle } from '../ledger/bundles';

/** LVV verificationFailureReason codes used here (GTIN + serial as the standard has them; the lot-level ones follow their pattern). */
export type VerificationFailureReason =
  | 'No_match_GTIN'
  | 'No_match_GTIN_Serial'
  | 'No_match_GTIN_Serial_Lot'
  | 'No_match_GTIN_Serial_Expiry'
  | 'No_match_GTIN_Serial_Lot_Expiry'
  | 'No_match_GTIN_Lot'
  | 'No_match_GTIN_Lot_Expiry'
  | 'No_reason_provided';

export interface VerificationAnswer {
  verified: boolean;
  verificationFailureReason?: VerificationFailureReason;
  /** LVV additional information: the product is recalled, or past its expiry. */
  additionalInfo?: 'Recalled' | 'Expired';
  recalled: boolean;
  timestamp: string;
  responderGLN?: string;
  /** Why verification could not complete when that is not a mismatch (e.g. evidence not anchored yet). */
  detail?: string;
  data: {
    gtin: string;
    lot: string | null;
    serial: string | null;
    expiry: string | null;
    manufacturer: { name: string; participant: string; gln: string | null };
    lotStatus: string | null;
    /** The device as the maker's catalogue names it (null when the GTIN is not in it). */
    product: { name: string; model: string } | null;
  };
  evidence: { commissioning: ProofBundle | null; release: ProofBundle | null };
  recalls: BoardRecall[];
}

export interface VerifyRequest {
  gtin: string;
  lot?: string;
  serial?: string;
  /** ISO date, as parseGs1 resolves AI (17). */
  expiry?: string;
}

type VerifyContext = Pick<NodeContext, 'sql' | 'chain' | 'participant' | 'config'>;

export async function verifyUnit(ctx: VerifyContext, request: VerifyRequest, today: string = new Date().toISOString().slice(0, 10)): Promise<VerificationAnswer> {
  const answer: VerificationAnswer = {
    verified: false,
    recalled: false,
    timestamp: new Date().toISOString(),
    ...(ctx.config.participantGln ? { responderGLN: ctx.config.participantGln } : {}),
    data: {
      gtin: request.gtin,
      lot: request.lot ?? null,
      serial: request.serial ?? null,
      expiry: null,
      manufacturer: { name: ctx.config.participantName, participant: ctx.participant, gln: ctx.config.participantGln ?? null },
      lotStatus: null,
      product: null,
    },
    evidence: { commissioning: null, release: null },
    recalls: [],
  };
  const fail = (reason: VerificationFailureReason) => ({ ...answer, verificationFailureReason: reason });

  const [product] = await ctx.sql<{ name: string; model: string }[]>`select name, model from products where gtin = ${request.gtin}`;
  if (!product) return fail('No_match_GTIN');
  answer.data.product = { name: product.name, model: product.model };

  let lot = request.lot;
  if (request.serial !== undefined) {
    const [unit] = await ctx.sql<{ lot: string }[]>`select lot from units where gtin = ${request.gtin} and serial = ${request.serial}`;
    if (!unit) return fail('No_match_GTIN_Serial');
    lot = unit.lot;
  }
  const [lotRow] = await ctx.sql<{ expiry: string; status: string; commissioning_seq: string | null }[]>`
    select expiry::text as expiry, status, commissioning_seq from lots where gtin = ${request.gtin} and lot = ${lot ?? ''}`;
  if (!lotRow) return fail(request.serial !== undefined ? 'No_match_GTIN_Serial' : 'No_match_GTIN_Lot');
  const expiry = lotRow.expiry;
  const lotMismatch = request.serial !== undefined && request.lot !== undefined && request.lot !== lot;
  const expiryMismatch = request.expiry !== undefined && request.expiry !== expiry;
  if (lotMismatch || expiryMismatch) {
    if (request.serial === undefined) return fail('No_match_GTIN_Lot_Expiry');
    return fail(lotMismatch && expiryMismatch ? 'No_match_GTIN_Serial_Lot_Expiry' : lotMismatch ? 'No_match_GTIN_Serial_Lot' : 'No_match_GTIN_Serial_Expiry');
  }

  answer.data = { ...answer.data, lot: lot!, expiry, lotStatus: lotRow.status };
  answer.recalls = await boardRecallsFor(ctx.chain.contracts.recallBoard, { gtin: request.gtin, lot: lot! });
  answer.recalled = lotRow.status === 'recalled' || answer.recalls.some((r) => r.status === 'open');
  if (answer.recalled) answer.additionalInfo = 'Recalled';
  else if (expiry <= today) answer.additionalInfo = 'Expired';

  const [released] = await ctx.sql<{ ledger_seq: string }[]>`
    select ledger_seq from lot_status_changes where gtin = ${request.gtin} and lot = ${lot!} and to_status = 'released'
    order by id desc limit 1`;
  const commissioningSeq = lotRow.commissioning_seq === null ? null : Number(lotRow.commissioning_seq);
  answer.evidence = {
    commissioning:
      commissioningSeq === null
        ? null
        : await buildBundle(ctx.sql, ctx.chain, commissioningSeq, request.serial === undefined ? undefined : unitUri(request.gtin, request.serial)),
    release: released ? await buildBundle(ctx.sql, ctx.chain, Number(released.ledger_seq)) : null,
  };
  if (!answer.evidence.commissioning) {
    return {
      ...fail('No_reason_provided'),
      detail:
        commissioningSeq === null
          ? 'this node holds no commissioning event for the lot'
          : 'the commissioning event is recorded but not anchored yet; try again in a few seconds',
    };
  }
  answer.verified = true;
  return answer;
}
