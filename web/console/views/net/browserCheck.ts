// Verification in this browser: proof bundles checked with the SDK against the
// chain the node announces (its chain id and AnchorLog pinned), never trusting
// the node's own verdict. One provider and one verification cache per page.
import { createVerificationCache, isMedtraceError, verifyBundle, type VerificationCache, type VerifiedBundle } from '../../../../sdk';
import { chainProvider, type NetworkInfo } from '../../../lib/network';
import type { JsonRpcProvider } from 'ethers';

export type BrowserVerdict = { ok: true; verified: VerifiedBundle } | { ok: false; code: string; message: string };

let shared: { network: NetworkInfo; provider: JsonRpcProvider; cache: VerificationCache } | undefined;

export function chainOf(network: NetworkInfo): { provider: JsonRpcProvider; cache: VerificationCache } {
  if (!shared || shared.network !== network) {
    shared?.provider.destroy();
    shared = { network, provider: chainProvider(network), cache: createVerificationCache() };
  }
  return shared;
}

/** Verifies one bundle here; a failure is a verdict with the SDK's code, not an exception. */
export async function verifyHere(network: NetworkInfo, bundle: unknown): Promise<BrowserVerdict> {
  const { provider, cache } = chainOf(network);
  try {
    const verified = await verifyBundle(bundle, { provider, cache, expect: { chainId: network.chainId, anchorLog: network.contracts.anchorLog } });
    return { ok: true, verified };
  } catch (err) {
    if (isMedtraceError(err)) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: 'CHAIN_UNAVAILABLE', message: err instanceof Error ? err.message : String(err) };
  }
}
