// Checking another company's evidence: a proof bundle is accepted only when it
// verifies against this network's chain (DESIGN 4.6) AND names this network's
// AnchorLog and chain id. Without the second check a node could anchor an
// altered history in an AnchorLog of its own making and hand out bundles that
// verify perfectly against it.
import { MedtraceError, parseBundle, verifyBundle } from '../../sdk';
import type { EpcisEvent, LedgerEnvelope, ProofBundle, VerifiedBundle } from '../../sdk';
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

export function createEvidenceVerifier(chain: Pick<ChainClient, 'provider' | 'chainId' | 'deployment'>): EvidenceVerifier {
  const anchorLog = chain.deployment.anchorLog.toLowerCase();
  const registry = chain.deployment.registry;
  return {
    async verify(input) {
      const bundle = parseBundle(input);
      if (bundle.anchor.chainId !== chain.chainId) {
        throw new MedtraceError('CHAIN_MISMATCH', `the bundle names chain ${bundle.anchor.chainId}; this network is chain ${chain.chainId}`, {
          field: 'anchor.chainId',
        });
      }
      if (bundle.anchor.anchorLog !== anchorLog) {
        throw new MedtraceError('CHAIN_MISMATCH', `the bundle names AnchorLog ${bundle.anchor.anchorLog}; this network's AnchorLog is ${anchorLog}`, {
          field: 'anchor.anchorLog',
        });
      }
      const verified = await verifyBundle(bundle, { provider: chain.provider, registry });
      return { ...verified, bundle, envelope: bundle.envelope, event: bundle.envelope.event };
    },
  };
}
