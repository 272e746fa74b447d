import { describe, expect, it } from 'vitest';
import * as sdk from '../../sdk';

describe('the SDK entry', () => {
  it('exports every name of DESIGN section 9 and the PLAN interfaces', () => {
    const names = [
      'parseGs1', 'toDigitalLink', 'toElementString', 'canonicalize', 'leafHash', 'nodeHash', 'merkleRoot',
      'inclusionProof', 'verifyInclusion', 'eventLeaf', 'verifyBundle', 'verifyBundleOffline', 'parseBundle',
      'sha256', 'merkleLevels', 'MerkleTree', 'buildUnitSet', 'unitProof', 'verifyUnitInSet', 'replaceUnitSets',
      'envelopeCanonicalBytes', 'createNodeClient', 'MedtraceError', 'isMedtraceError', 'toHex', 'fromHex',
      'validateGtin', 'unitUri', 'lotUri', 'createVerificationCache',
    ];
    for (const name of names) expect(typeof (sdk as Record<string, unknown>)[name], name).toBe('function');
    expect(sdk.UNIT_SET_FIELDS).toEqual(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
    expect(sdk.ZERO_HASH).toBe(`0x${'00'.repeat(32)}`);
    expect(sdk.ANCHOR_LOG_ABI.length).toBeGreaterThan(0);
  });
});
