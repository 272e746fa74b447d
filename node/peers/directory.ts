// The participant directory: what the on-chain registry says about a company
// (name, role, endpoint, signing key thumbprint, status), read through a short
// cache so a busy node does not ask the chain on every peer call, while a key
// rotation, an endpoint change or a suspension is seen within `ttlMs`.
import { getAddress, isAddress } from 'ethers';
import type { ChainClient } from '../chain/client';

export type ParticipantStatus = 'unknown' | 'active' | 'suspended' | 'revoked';

export interface PeerInfo {
  /** Lowercase 0x address. */
  address: string;
  name: string;
  role: 'manufacturer' | 'distributor' | 'hospital' | 'platform' | 'other' | 'unknown';
  gln: string;
  /** Base URL of the participant's node, without a trailing slash ('' when none). */
  endpoint: string;
  /** RFC 7638 SHA-256 thumbprint of its Ed25519 signing key, 0x hex. */
  keyThumbprint: string;
  status: ParticipantStatus;
  /** First anchor batch its revocation invalidates (0 unless revoked). */
  invalidFromBatch: number;
}

export interface ParticipantDirectory {
  /** The registry's entry for `address` (status `unknown` when never registered). `fresh` skips the cache. */
  get(address: string, options?: { fresh?: boolean }): Promise<PeerInfo>;
  /** The lowercase address owning the GS1 company prefix of `gtin14`, or undefined. */
  ownerOfGtin(gtin14: string, options?: { fresh?: boolean }): Promise<string | undefined>;
  /** Drops cached entries (one address, or all). */
  forget(address?: string): void;
}

const ROLES = ['unknown', 'manufacturer', 'distributor', 'hospital', 'platform', 'other'] as const;
const STATUSES = ['unknown', 'active', 'suspended', 'revoked'] as const;
const ZERO = '0x0000000000000000000000000000000000000000';

export const DIRECTORY_TTL_MS = 5_000;

export function createDirectory(chain: Pick<ChainClient, 'contracts'>, options: { ttlMs?: number } = {}): ParticipantDirectory {
  const ttlMs = options.ttlMs ?? DIRECTORY_TTL_MS;
  const entries = new Map<string, { at: number; value: Promise<PeerInfo> }>();
  const owners = new Map<string, { at: number; value: Promise<string | undefined> }>();

  const cached = <T>(map: Map<string, { at: number; value: Promise<T> }>, key: string, fresh: boolean, load: () => Promise<T>): Promise<T> => {
    const hit = map.get(key);
    if (!fresh && hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = load();
    map.set(key, { at: Date.now(), value });
    value.catch(() => map.delete(key));
    return value;
  };

  return {
    get(address, { fresh = false } = {}) {
      if (!isAddress(address)) return Promise.reject(new Error(`not an address: ${address}`));
      const key = address.toLowerCase();
      return cached(entries, key, fresh, async () => {
        const [status] = await chain.contracts.registry.statusOf(getAddress(key));
        if (Number(status) === 0) {
          return { address: key, name: '', role: 'unknown', gln: '', endpoint: '', keyThumbprint: '', status: 'unknown', invalidFromBatch: 0 };
        }
        const entry = await chain.contracts.registry.getParticipant(getAddress(key));
        return {
          address: key,
          name: String(entry.name),
          role: ROLES[Number(entry.role)] ?? 'unknown',
          gln: String(entry.gln),
          endpoint: String(entry.endpoint).replace(/\/+$/, ''),
          keyThumbprint: String(entry.keyThumbprint).toLowerCase(),
          status: STATUSES[Number(entry.status)] ?? 'unknown',
          invalidFromBatch: Number(entry.invalidFromBatch),
        };
      });
    },
    ownerOfGtin(gtin14, { fresh = false } = {}) {
      return cached(owners, gtin14, fresh, async () => {
        const owner = String(await chain.contracts.registry.resolveGtin(gtin14)).toLowerCase();
        return owner === ZERO ? undefined : owner;
      });
    },
    forget(address) {
      if (address === undefined) {
        entries.clear();
        owners.clear();
      } else {
        entries.delete(address.toLowerCase());
      }
    },
  };
}
