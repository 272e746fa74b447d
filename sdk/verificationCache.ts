// A verification cache for verifyBundle: what the chain says about an anchor
// that can never change is read once (the provider's chain id, a batch's root,
// from and to, the anchoring transaction's receipt and its Anchored event, the
// AnchorLog's registry address); the registry status of a participant, which
// can change (suspension, revocation), is kept for at most `statusTtlMs`
// (2 s at most). Only answers the chain actually gave are kept: a failed read,
// or a batch or transaction that is not there (yet), is asked again next time.
// The cache holds chain facts, never verdicts: every bundle is still checked
// against them, so a tampered bundle fails exactly as without a cache.
import type { Provider } from 'ethers';

/** Longest time a participant's registry status may be reused (DESIGN 4.6: revocation must be seen quickly). */
export const MAX_STATUS_TTL_MS = 2_000;

export interface VerificationCacheOptions {
  /** How long a registry status is reused, in ms (default and maximum 2,000; 0 = never). */
  statusTtlMs?: number;
  /** Most immutable facts kept (oldest dropped first; default 50,000). */
  maxEntries?: number;
  /** The clock (ms); for tests. */
  now?: () => number;
}

export interface VerificationCacheStats {
  hits: number;
  misses: number;
  entries: number;
}

export interface VerificationCache {
  /**
   * The value under `key`, loading it with `load` when absent or stale.
   * `ttlMs` undefined = immutable (kept until evicted). Concurrent callers share one load;
   * a rejected load is not kept.
   */
  remember<T>(key: string, load: () => Promise<T>, ttlMs?: number): Promise<T>;
  /** The chain id of `provider`, asked once per provider object. */
  chainIdOf(provider: Provider, load: () => Promise<bigint>): Promise<bigint>;
  /** The TTL used for registry status entries. */
  readonly statusTtlMs: number;
  stats(): VerificationCacheStats;
  /** Drops everything (e.g. after switching networks). */
  clear(): void;
}

interface Entry {
  value: Promise<unknown>;
  expires: number;
}

export function createVerificationCache(options: VerificationCacheOptions = {}): VerificationCache {
  const statusTtlMs = Math.max(0, Math.min(options.statusTtlMs ?? MAX_STATUS_TTL_MS, MAX_STATUS_TTL_MS));
  const maxEntries = Math.max(1, options.maxEntries ?? 50_000);
  const now = options.now ?? Date.now;
  let entries = new Map<string, Entry>();
  let networks = new WeakMap<Provider, Promise<bigint>>();
  let hits = 0;
  let misses = 0;

  const remember = <T>(key: string, load: () => Promise<T>, ttlMs?: number): Promise<T> => {
    const hit = entries.get(key);
    if (hit && hit.expires > now()) {
      hits += 1;
      // Refresh its place: the least recently used goes first.
      entries.delete(key);
      entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    misses += 1;
    if (ttlMs !== undefined && ttlMs <= 0) return load();
    const value = load();
    const entry: Entry = { value, expires: ttlMs === undefined ? Number.POSITIVE_INFINITY : now() + ttlMs };
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return value;
  };

  return {
    remember,
    chainIdOf(provider, load) {
      const hit = networks.get(provider);
      if (hit) {
        hits += 1;
        return hit;
      }
      misses += 1;
      const value = load();
      networks.set(provider, value);
      value.catch(() => {
        if (networks.get(provider) === value) networks.delete(provider);
      });
      return value;
    },
    statusTtlMs,
    stats: () => ({ hits, misses, entries: entries.size }),
    clear() {
      entries = new Map();
      networks = new WeakMap();
    },
  };
}
