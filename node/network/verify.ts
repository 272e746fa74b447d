// Checking another company's evidence: a proof bundle is accepted only when it
// verifies against this network's chain (DESIGN 4.6) AND names this network's
// AnchorLog and chain id. Without the second check a node could anchor an
// altered history in an AnchorLog of its own making and hand out bundles that
// verify perfectly against it.
import { createVerificationCache, parseBundle, verifyBundle } from '../../sdk';
import type { EpcisEvent, LedgerEnvelope, ProofBundle, VerificationCache, VerifiedBundle } from '../../sdk';
import type { ChainClient } from '../chain/client';

export interface VerifiedEvidence extends VerifiedBundle {
  bundle: ProofBundle;
  envelope: LedgerEnvelope;
  event: EpcisEvent;
}

export interface EvidenceVerifier {
  /** Verifies one bundle (untrusted JSON) against the chain; throws MedtraceError with a code and field. */
  verify(input: unknown): Promise<VerifiedEvidence>;
}

// One verification cache per chain connection, shared by every verifier of the process:
// immutable chain facts are read once, registry statuses at most every 2 s.
const caches = new WeakMap<object, VerificationCache>();

/** The verification cache shared by the verifiers of `chain` (created on first use). */
export function verificationCacheOf(chain: Pick<ChainClient, 'provider'>): VerificationCache {
  let cache = caches.get(chain.provider);
  if (!cache) {
    cache = createVerificationCache();
    caches.set(chain.provider, cache);
  }
  return cache;
}

export interface EvidenceVerifierOptions {
  /** A cache of chain reads; by default the one shared per chain connection; false = none. */
  cache?: VerificationCache | false;
}

export function createEvidenceVerifier(
  chain: Pick<ChainClient, 'provider' | 'chainId' | 'deployment'>,
  options: EvidenceVerifierOptions = {},
): EvidenceVerifier {
  const cache = options.cache === false ? undefined : (options.cache ?? verificationCacheOf(chain));
  const anchorLog = chain.deployment.anchorLog.toLowerCase();
  const registry = chain.deployment.registry;
  return {
    async verify(input) {
      const bundle = parseBundle(input);
      const verified = await verifyBundle(bundle, { provider: chain.provider, registry, expect: { chainId: chain.chainId, anchorLog }, ...(cache ? { cache } : {}) });
      return { ...verified, bundle, envelope: bundle.envelope, event: bundle.envelope.event };
    },
  };
}
