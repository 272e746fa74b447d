// The chain reads of the auditor console, straight from the contracts through
// the read-only provider of the network this console trusts: who the registry
// says a participant is, and the batches AnchorLog holds for it. Nothing here
// comes from the audited node.
import { Contract, getAddress, type Provider } from 'ethers';
import { ANCHOR_LOG_ABI, PARTICIPANT_STATUS_NAMES, readParticipant, registryAt, type ParticipantStatusName, type RegisteredParticipant } from '../../sdk';
import type { NetworkInfo } from '../lib/network';

/** The registry's entry (the SDK's reading of it) with the address checksummed and the GS1 prefixes. */
export interface ChainParticipant extends RegisteredParticipant {
  checksummed: string;
  prefixes: string[];
}

export interface ChainBatch {
  batch: number;
  root: string;
  from: number;
  to: number;
  anchoredAt: string;
}

export class ChainReader {
  private readonly registry: Contract;
  private readonly anchorLog: Contract;

  constructor(network: NetworkInfo, provider: Provider) {
    this.registry = registryAt(network.contracts.registry, provider);
    this.anchorLog = new Contract(network.contracts.anchorLog, ANCHOR_LOG_ABI, provider);
  }

  /** The registry's entry for `address`; null when the registry does not know it. */
  async participant(address: string): Promise<ChainParticipant | null> {
    const entry = await readParticipant(this.registry, address);
    if (!entry) return null;
    const prefixes = (await this.registry.prefixesOf(address)) as string[];
    return { ...entry, checksummed: getAddress(address), prefixes: [...prefixes] };
  }

  async statusOf(address: string): Promise<{ status: ParticipantStatusName; invalidFromBatch: number }> {
    const [status, invalidFromBatch] = await this.registry.statusOf(address);
    return { status: PARTICIPANT_STATUS_NAMES[Number(status)] ?? 'unknown', invalidFromBatch: Number(invalidFromBatch) };
  }

  async batchCount(participant: string): Promise<number> {
    return Number(await this.anchorLog.batchCount(participant));
  }

  async batch(participant: string, batch: number): Promise<ChainBatch> {
    const [root, from, to, anchoredAt] = await this.anchorLog.getBatch(participant, batch);
    return { batch, root: String(root).toLowerCase(), from: Number(from), to: Number(to), anchoredAt: new Date(Number(anchoredAt) * 1000).toISOString() };
  }
}

/** Runs `work` over `items` with at most `limit` at a time, in order of start. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>, stopped?: () => boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stopped?.()) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
