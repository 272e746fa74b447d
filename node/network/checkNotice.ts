// Checking a shipment notice from another node (DESIGN 7), line by line,
// against the chain: every bundle verifies (this network's AnchorLog and chain
// id), the shipping event is the sender's and names the line's unit or lot and
// quantity, the GTIN owner commissioned the unit (or lot) and released the
// lot, a sender that is not the owner received the unit itself through an
// unbroken chain of hand-overs (a shipping event by X, a receiving event by Y
// naming X's shipping event in `medtrace:senderEvent`) back to the owner, the
// lot has not expired and is not recalled on RecallBoard. A line is `ok` or
// `blocked` with the first failing rule's reason slug; `problems` lists every
// failure found, with details. Run on arrival and again at receipt time.
import { isMedtraceError, lotUri, unitUri } from '../../sdk';
import type { ProofBundle } from '../../sdk';
import type { NodeContext } from '../context';
import { localDate } from '../lots/expiry';
import { openRecallIdsFor } from '../recalls/board';
import { concerns, eventLotClasses, itemKeys, quantityOf } from './evidence';
import type { ShipmentNotice } from './notice';
import { createEvidenceVerifier, type EvidenceVerifier, type VerifiedEvidence } from './verify';

export type NoticeReason =
  | 'unit-not-shipped'
  | 'wrong-lot'
  | 'quantity-mismatch'
  | 'lot-expired'
  | 'lot-recalled'
  | `proof-failed:${string}`
  | 'unit-not-received-by-sender'
  | 'no-commissioning-evidence'
  | 'no-release-evidence'
  | 'wrong-sender';

export interface LineVerdict {
  verdict: 'ok' | 'blocked';
  /** The first failing rule (null when ok). */
  reason: NoticeReason | null;
}

export interface NoticeProblem {
  /** 1-based line number, when the problem is about a line. */
  line?: number;
  /** 'shipping' or 'pedigree[i]', when it is about a bundle. */
  bundle?: string;
  reason: NoticeReason;
  detail: string;
}

export interface NoticeCheck {
  lines: LineVerdict[];
  problems: NoticeProblem[];
}

export interface CheckNoticeOptions {
  /** Today (YYYY-MM-DD) for the expiry rule; default the node's local date. */
  today?: string;
  /** The verifier (default one over ctx.chain). */
  verifier?: EvidenceVerifier;
}

type CheckContext = Pick<NodeContext, 'chain' | 'directory' | 'config'>;

export const RELEASE_BIZSTEP = 'urn:medtrace:bizstep:releasing';
/** Most hand-overs followed back to the owner. */
const MAX_HOPS = 16;

interface Checked {
  label: string;
  bundle: ProofBundle;
  evidence?: VerifiedEvidence;
  failure?: string;
}

interface SenderEventRef {
  participant?: unknown;
  seq?: unknown;
  leaf?: unknown;
}

export async function checkNotice(ctx: CheckContext, notice: ShipmentNotice, options: CheckNoticeOptions = {}): Promise<NoticeCheck> {
  const verifier = options.verifier ?? createEvidenceVerifier(ctx.chain);
  const today = options.today ?? localDate(ctx.config.eventTimeZoneOffset);
  const sender = String(notice.sender).toLowerCase();
  const problems: NoticeProblem[] = [];

  // Every bundle verified once.
  const verify = async (label: string, bundle: ProofBundle): Promise<Checked> => {
    try {
      return { label, bundle, evidence: await verifier.verify(bundle) };
    } catch (error) {
      if (!isMedtraceError(error)) throw error;
      return { label, bundle, failure: `proof-failed:${error.code}` };
    }
  };
  const shipping = await verify('shipping', notice.shipping);
  const pedigree = await Promise.all((notice.pedigree ?? []).map((bundle, i) => verify(`pedigree[${i}]`, bundle)));
  for (const checked of [shipping, ...pedigree]) {
    if (checked.failure) problems.push({ bundle: checked.label, reason: checked.failure as NoticeReason, detail: `${checked.label} does not verify (${checked.failure.slice('proof-failed:'.length)})` });
  }
  const verified = pedigree.filter((c) => c.evidence).map((c) => c.evidence!);
  // Per bundle, computed once: the disclosed units and the lot classes its event names.
  const unitSets = new WeakMap<VerifiedEvidence, Set<string>>();
  const lotSets = new WeakMap<VerifiedEvidence, Set<string>>();
  const disclosed = (e: VerifiedEvidence) => {
    let set = unitSets.get(e);
    if (!set) unitSets.set(e, (set = new Set(e.units)));
    return set;
  };
  const lotClassesOf = (e: VerifiedEvidence) => {
    let set = lotSets.get(e);
    if (!set) lotSets.set(e, (set = eventLotClasses(e.event)));
    return set;
  };
  const byRef = new Map(verified.map((e) => [`${e.participant}:${e.seq}`, e]));

  const owners = new Map<string, Promise<string | undefined>>();
  const ownerOf = (gtin: string) => {
    if (!owners.has(gtin)) owners.set(gtin, ctx.directory.ownerOfGtin(gtin));
    return owners.get(gtin)!;
  };
  const recalls = new Map<string, Promise<boolean>>();
  const recalled = (gtin: string, lot: string) => {
    const key = `${gtin}\u0000${lot}`;
    if (!recalls.has(key)) recalls.set(key, isRecalled(ctx, gtin, lot));
    return recalls.get(key)!;
  };

  // Quantities the notice claims per lot class (lot-controlled lines, and every line).
  const claimedLotLevel = new Map<string, number>();
  const claimedAll = new Map<string, number>();
  for (const line of notice.lines) {
    const lotClass = lotUri(line.gtin, line.lot);
    claimedAll.set(lotClass, (claimedAll.get(lotClass) ?? 0) + line.quantity);
    if (!line.serial) claimedLotLevel.set(lotClass, (claimedLotLevel.get(lotClass) ?? 0) + line.quantity);
  }

  const lines: LineVerdict[] = [];
  for (const [index, line] of notice.lines.entries()) {
    const lineNo = index + 1;
    const uri = line.serial ? unitUri(line.gtin, line.serial) : undefined;
    const lotClass = lotUri(line.gtin, line.lot);
    const covers = (e: VerifiedEvidence) => (uri ? disclosed(e).has(uri) : lotClassesOf(e).has(lotClass));
    const what = uri ? `unit ${line.serial} of GTIN ${line.gtin}` : `lot ${line.lot} of GTIN ${line.gtin}`;

    const reason = await (async (): Promise<[NoticeReason, string] | null> => {
      // The shipping event: verified, the sender's, a shipping, naming the goods.
      if (shipping.failure) return [shipping.failure as NoticeReason, `the shipping bundle does not verify`];
      const ship = shipping.evidence!;
      if (ship.participant !== sender) return ['wrong-sender', `the shipping event is by ${ship.participant}, not by the sender ${sender}`];
      if (ship.event.bizStep !== 'shipping') return ['unit-not-shipped', `the shipping bundle holds a ${String(ship.event.bizStep)} event, not shipping`];
      if (!namesShipment(ship.event, notice.shipmentId)) {
        return ['unit-not-shipped', `the shipping event is not the event of shipment ${notice.shipmentId} (its desadv business transaction differs)`];
      }
      const shippedLots = lotClassesOf(ship);
      if (uri) {
        if (!disclosed(ship).has(uri)) return ['unit-not-shipped', `${what} is not disclosed in the shipping event`];
        if (!shippedLots.has(lotClass)) return ['wrong-lot', `the shipping event names no lot ${line.lot} of GTIN ${line.gtin} for ${what}`];
        if (line.quantity !== 1) return ['quantity-mismatch', `${what} is one unit, the line says ${line.quantity}`];
      } else {
        if (!shippedLots.has(lotClass)) {
          const otherLot = [...shippedLots].some((c) => c.startsWith(lotUri(line.gtin, 'X').slice(0, -1)));
          return otherLot ? ['wrong-lot', `the shipping event names other lots of GTIN ${line.gtin}, not ${line.lot}`] : ['unit-not-shipped', `the shipping event names no ${what}`];
        }
        const shippedQuantity = quantityOf(ship.event.quantityList, lotClass);
        if (shippedQuantity !== claimedLotLevel.get(lotClass)) {
          return ['quantity-mismatch', `the notice lists ${claimedLotLevel.get(lotClass)} of ${what}, the shipping event ${shippedQuantity ?? 0}`];
        }
      }
      const lotTotal = quantityOf(ship.event['medtrace:lots'], lotClass);
      if (lotTotal !== undefined && lotTotal !== claimedAll.get(lotClass)) {
        return ['quantity-mismatch', `the notice lists ${claimedAll.get(lotClass)} of lot ${line.lot} of GTIN ${line.gtin}, the shipping event ${lotTotal}`];
      }

      // Recalled or expired goods are refused whatever their evidence.
      if (await recalled(line.gtin, line.lot)) return ['lot-recalled', `lot ${line.lot} of GTIN ${line.gtin} has an open recall on RecallBoard`];
      const owner = await ownerOf(line.gtin);
      // A unit: the owner's commissioning discloses it. A lot-controlled lot: the owner's
      // lot-level commissioning names its class and quantity in the quantityList (a
      // serialised lot's commissioning names the lot too, in medtrace:lot, but commissions
      // units, not a quantity that could be shipped without them).
      const commissioning = verified.find(
        (e) =>
          e.participant === owner &&
          e.event.bizStep === 'commissioning' &&
          (uri ? disclosed(e).has(uri) : quantityOf(e.event.quantityList, lotClass) !== undefined),
      );
      const commissionedLot = commissioning?.event['medtrace:lot'] as { lot?: unknown; expiry?: unknown } | undefined;
      const expiry = typeof commissionedLot?.expiry === 'string' && commissionedLot.expiry < line.expiry ? commissionedLot.expiry : line.expiry;
      if (expiry <= today) return ['lot-expired', `lot ${line.lot} of GTIN ${line.gtin} expired on ${expiry} (today ${today})`];

      // A bundle about these goods that does not verify.
      const keys = itemKeys([line]);
      const broken = pedigree.find((c) => c.failure && concerns(c.bundle, keys));
      if (broken) return [broken.failure as NoticeReason, `${broken.label}, evidence about ${what}, does not verify`];

      // Origin: the owner commissioned it (the right lot) and released the lot.
      if (!owner) return ['no-commissioning-evidence', `no participant owns the company prefix of GTIN ${line.gtin}`];
      if (!commissioning) return ['no-commissioning-evidence', `no verified commissioning event by the GTIN owner ${owner} names ${what}`];
      if (typeof commissionedLot?.lot === 'string' && commissionedLot.lot !== line.lot) {
        return ['wrong-lot', `${what} was commissioned in lot ${commissionedLot.lot}, the notice says ${line.lot}`];
      }
      if (!uri) {
        const commissionedQuantity = quantityOf(commissioning.event.quantityList, lotClass) ?? 0;
        if (claimedLotLevel.get(lotClass)! > commissionedQuantity) {
          return ['quantity-mismatch', `the notice lists ${claimedLotLevel.get(lotClass)} of ${what}, its owner commissioned ${commissionedQuantity}`];
        }
      }
      const release = verified.find(
        (e) => e.participant === owner && e.event.bizStep === RELEASE_BIZSTEP && (e.event.quantityList ?? []).some((q) => q.epcClass === lotClass),
      );
      if (!release) return ['no-release-evidence', `no verified release of lot ${line.lot} of GTIN ${line.gtin} by its owner ${owner}`];

      // Custody: from the owner to the sender, hand-over by hand-over.
      if (sender !== owner && !handedOver(sender, owner, covers, byRef)) {
        return ['unit-not-received-by-sender', `no verified chain of receipts shows that the sender ${sender} received ${what} from its owner ${owner}`];
      }
      return null;
    })();

    if (reason) {
      lines.push({ verdict: 'blocked', reason: reason[0] });
      problems.push({ line: lineNo, reason: reason[0], detail: reason[1] });
    } else {
      lines.push({ verdict: 'ok', reason: null });
    }
  }
  return { lines, problems };
}

/**
 * Whether `holder` received the goods through verified hand-overs back to `owner`: a receiving
 * event by the holder covering them, naming (medtrace:senderEvent) a verified shipping event by
 * the previous holder covering them, and so on until the owner.
 */
function handedOver(
  holder: string,
  owner: string,
  covers: (e: VerifiedEvidence) => boolean,
  byRef: ReadonlyMap<string, VerifiedEvidence>,
  depth = 0,
  seen: Set<string> = new Set(),
): boolean {
  if (holder === owner) return true;
  if (depth >= MAX_HOPS || seen.has(holder)) return false;
  seen.add(holder);
  for (const receiving of byRef.values()) {
    if (receiving.participant !== holder || receiving.event.bizStep !== 'receiving' || !covers(receiving)) continue;
    const ref = receiving.event['medtrace:senderEvent'] as SenderEventRef | undefined;
    if (!ref || typeof ref.participant !== 'string' || typeof ref.seq !== 'number') continue;
    const shipped = byRef.get(`${ref.participant.toLowerCase()}:${ref.seq}`);
    if (!shipped || shipped.event.bizStep !== 'shipping' || !covers(shipped)) continue;
    if (typeof ref.leaf === 'string' && ref.leaf.toLowerCase() !== shipped.leaf.toLowerCase()) continue;
    if (handedOver(shipped.participant, owner, covers, byRef, depth + 1, new Set(seen))) return true;
  }
  return false;
}

/** The shipping event names the notice's shipment as its desadv (one shipping event is not noticed twice under two ids). */
function namesShipment(event: VerifiedEvidence['event'], shipmentId: number): boolean {
  const list = event.bizTransactionList;
  if (!Array.isArray(list)) return false;
  return list.some((t: { type?: unknown; bizTransaction?: unknown }) => t?.type === 'desadv' && t.bizTransaction === `urn:medtrace:shipment:${shipmentId}`);
}

/** Whether RecallBoard holds an open recall of the lot (or of all lots of the GTIN). */
export async function isRecalled(ctx: Pick<NodeContext, 'chain'>, gtin: string, lot: string): Promise<boolean> {
  return (await openRecallIdsFor(ctx.chain, gtin, lot)).length > 0;
}

