// The verification of one scanned code, in the browser, as a pipeline of small
// steps (DESIGN 1: the consumer trusts the chain only):
//   the code (SDK parseScannedGs1) → the GTIN's maker on the registry → its
//   registry entry and the lot's recalls on the RecallBoard (all read at one
//   block) → the maker's node's public answer → its commissioning and release
//   bundles verified with the SDK's verifyBundle against the chain, and checked
//   to be about this unit, this lot and this maker.
// The result is an Outcome: what is known and in which state the check ended;
// the page (render.ts) turns it into words. Nothing the maker's node says is
// believed without its proof, except "I never made this serial" (suspect).
import type { Provider } from 'ethers';
import {
  boardRecallsFor,
  createVerificationCache,
  isMedtraceError,
  parseScannedGs1,
  readParticipant,
  recallBoardAt,
  registryAt,
  resolveGtinOwner,
  toDigitalLink,
  verifyBundle,
  type BoardRecall,
  type Gs1Data,
  type ProofBundle,
  type RegisteredParticipant,
  type VerifiedBundle,
} from '../../sdk';
import type { NetworkInfo } from '../lib/network';
import { checkCommissioning, checkRelease, commissionedLot, EvidenceMismatch, type EvidenceSubject } from './evidence';

export type OutcomeState =
  | 'malformed'
  | 'chainUnavailable'
  | 'unknownGtin'
  | 'productOnly'
  | 'makerUnreachable'
  | 'suspect'
  | 'pending'
  | 'proofFailed'
  | 'verified';

export type Step = 'parse' | 'registry' | 'maker' | 'proofs';

/** The public verify answer of a maker's node (node/public/verify.ts), as far as the page reads it. */
export interface VerifyAnswer {
  verified: boolean;
  verificationFailureReason?: string;
  detail?: string;
  data: {
    gtin: string;
    lot: string | null;
    serial: string | null;
    expiry: string | null;
    lotStatus: string | null;
    product?: { name: string; model: string } | null;
  };
  evidence: { commissioning: unknown; release: unknown };
}

export interface CheckedEvidence {
  bundle: ProofBundle;
  verified: VerifiedBundle;
}

export interface Outcome {
  state: OutcomeState;
  input: string;
  code?: Gs1Data;
  /** malformed: the SDK's error (field and rule). chainUnavailable: what could not be read. */
  error?: { code?: string; field?: string; message: string };
  /** The chain the facts were read from and the block they were read at. */
  chain?: { chainId: number; block: number };
  /** Lowercase address the registry resolves the GTIN to. */
  owner?: string;
  maker?: RegisteredParticipant;
  /** The RecallBoard's recalls of the lot (or, without a lot, of every lot of the GTIN). */
  recalls: BoardRecall[];
  /** Whether the recalls were read for the unit's lot (false: only the all-lots ones). */
  recallsOfLot: boolean;
  answer?: VerifyAnswer;
  /** makerUnreachable: why. */
  unreachable?: string;
  /** proofFailed: the refusal, with the SDK's (or the page's) code. */
  failure?: { code: string; message: string; field?: string; evidence: 'commissioning' | 'release' };
  evidence: { commissioning?: CheckedEvidence; release?: CheckedEvidence };
  /** The lot, from the code or the maker's answer. */
  lot?: string;
  /** ISO expiry date: the maker's record, else the code's. */
  expiry?: string;
}

export interface CheckOptions {
  network: NetworkInfo;
  provider: Provider;
  onStep?: (step: Step) => void;
  /** How long the maker's node may take to answer (default 10 s). */
  makerTimeoutMs?: number;
}

const ANSWER_SHAPE_ERROR = "the maker's node did not send a verification answer";

class ChainDown extends Error {}

/** Runs every step on `input` (what was scanned, typed or opened) and says where it ended. */
export async function checkCode(input: string, options: CheckOptions): Promise<Outcome> {
  const outcome: Outcome = { state: 'malformed', input, recalls: [], recallsOfLot: false, evidence: {} };
  options.onStep?.('parse');
  let code: Gs1Data;
  try {
    code = parseScannedGs1(input);
  } catch (error) {
    if (!isMedtraceError(error)) throw error;
    return { ...outcome, error: { code: error.code, field: error.field, message: error.message } };
  }
  outcome.code = code;
  outcome.lot = code.lot;
  outcome.expiry = code.expiry;
  try {
    return await checkParsed(outcome, code, options);
  } catch (error) {
    if (error instanceof ChainDown || isMedtraceError(error, 'CHAIN_UNAVAILABLE')) {
      return { ...outcome, state: 'chainUnavailable', error: { code: 'CHAIN_UNAVAILABLE', message: (error as Error).message } };
    }
    throw error;
  }
}

async function checkParsed(outcome: Outcome, code: Gs1Data, options: CheckOptions): Promise<Outcome> {
  const { network, provider } = options;
  options.onStep?.('registry');
  const registry = registryAt(network.contracts.registry, provider);
  const board = recallBoardAt(network.contracts.recallBoard, provider);
  // The block number and the GTIN's owner in one round trip (one JSON-RPC batch); the
  // reads after it are pinned to that block.
  const [block, owner] = await Promise.all([
    provider.getBlockNumber().catch((error: Error) => {
      throw new ChainDown(`the chain could not be read: ${error.message}`);
    }),
    resolveGtinOwner(registry, code.gtin),
  ]);
  const at = { blockTag: block };
  outcome.chain = { chainId: network.chainId, block };
  if (!owner) return { ...outcome, state: 'unknownGtin' };
  outcome.owner = owner;
  const [maker, recalls] = await Promise.all([readParticipant(registry, owner, at), boardRecallsFor(board, { gtin: code.gtin, lot: code.lot ?? '' }, at)]);
  outcome.maker = maker;
  outcome.recalls = recalls;
  outcome.recallsOfLot = code.lot !== undefined;
  if (code.lot === undefined && code.serial === undefined) return { ...outcome, state: 'productOnly' };
  if (!maker || !maker.endpoint) return { ...outcome, state: 'makerUnreachable', unreachable: 'the registry names no node for the maker' };

  options.onStep?.('maker');
  const asked = await askMaker(maker.endpoint, code, options.makerTimeoutMs ?? 10_000);
  if ('unreachable' in asked) return { ...outcome, state: 'makerUnreachable', unreachable: asked.unreachable };
  const answer = asked.answer;
  outcome.answer = answer;
  if (answer.data.lot && code.lot === undefined) {
    // A code without its lot (GTIN + serial): the lot's recalls once the maker named the lot.
    outcome.lot = answer.data.lot;
    outcome.recalls = await boardRecallsFor(board, { gtin: code.gtin, lot: answer.data.lot }, at);
    outcome.recallsOfLot = true;
  }
  if (!answer.verified) {
    const reason = answer.verificationFailureReason ?? 'No_reason_provided';
    return { ...outcome, state: reason.startsWith('No_match') ? 'suspect' : 'pending' };
  }
  if (!outcome.lot) return { ...outcome, state: 'makerUnreachable', unreachable: ANSWER_SHAPE_ERROR };

  options.onStep?.('proofs');
  const subject: EvidenceSubject = { maker: owner, gtin: code.gtin, lot: outcome.lot, serial: code.serial, expiry: code.expiry };
  const cache = createVerificationCache();
  const verifyOne = async (which: 'commissioning' | 'release', bundle: unknown): Promise<CheckedEvidence> => {
    try {
      if (bundle === null || bundle === undefined) throw new EvidenceMismatch('NO_EVIDENCE', `the maker's node sent no ${which} proof`);
      const verified = await verifyBundle(bundle, { provider, cache, registry: network.contracts.registry, expect: { chainId: network.chainId, anchorLog: network.contracts.anchorLog } });
      (which === 'commissioning' ? checkCommissioning : checkRelease)(bundle as ProofBundle, verified, subject);
      return { bundle: bundle as ProofBundle, verified };
    } catch (error) {
      if (isMedtraceError(error, 'CHAIN_UNAVAILABLE')) throw error;
      if (isMedtraceError(error) || error instanceof EvidenceMismatch) {
        throw new ProofRefused({ code: error.code, message: error.message, field: error.field, evidence: which });
      }
      throw error;
    }
  };
  try {
    const [commissioning, release] = await Promise.all([
      verifyOne('commissioning', answer.evidence.commissioning),
      answer.evidence.release === null ? undefined : verifyOne('release', answer.evidence.release),
    ]);
    outcome.evidence = { commissioning, release };
    // From here the expiry is the one the maker anchored, not what its node says.
    const proven = commissionedLot(commissioning.bundle)?.expiry;
    if (typeof proven === 'string') outcome.expiry = proven;
  } catch (error) {
    if (error instanceof ProofRefused) return { ...outcome, state: 'proofFailed', failure: error.failure };
    throw error;
  }
  return { ...outcome, state: 'verified' };
}

class ProofRefused extends Error {
  constructor(readonly failure: NonNullable<Outcome['failure']>) {
    super(failure.message);
  }
}

/** The maker's node's public verify answer, or why there is none. */
async function askMaker(endpoint: string, code: Gs1Data, timeoutMs: number): Promise<{ answer: VerifyAnswer } | { unreachable: string }> {
  const url = `${endpoint}/public/v1/verify?udi=${encodeURIComponent(toDigitalLink(code))}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: abort.signal });
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!res.ok) {
      const detail = typeof body?.detail === 'string' ? body.detail : res.statusText;
      return { unreachable: `HTTP ${res.status}${detail ? `: ${detail}` : ''}` };
    }
    return isAnswer(body) ? { answer: body } : { unreachable: ANSWER_SHAPE_ERROR };
  } catch (error) {
    return { unreachable: abort.signal.aborted ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

function isAnswer(body: unknown): body is VerifyAnswer {
  const b = body as VerifyAnswer | undefined;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.verified === 'boolean' &&
    typeof b.data === 'object' &&
    b.data !== null &&
    typeof b.evidence === 'object' &&
    b.evidence !== null &&
    (b.verificationFailureReason === undefined || typeof b.verificationFailureReason === 'string')
  );
}
