// (c) Gas per anchor and per event: the real contracts on an in-process Hardhat
// network, a registered participant anchoring batches of 1 to 10,000 events
// (real RFC 6962 roots); gasUsed read from each receipt.
import hre from 'hardhat';
import { Contract } from 'ethers';
import { merkleRoot, toHex } from '../../sdk';
import { loadArtifact } from '../../node/chain/artifacts';
import { deployContracts } from '../../node/chain/deploy';
import { type BenchResult, fmt, log } from './measure';
import { randomLeaves } from './tree';

export const GAS_TARGET_PER_ANCHOR = 70_000;
const ANCHORS_PER_SIZE = 3;

export async function benchGas(batchSizes: number[]): Promise<BenchResult[]> {
  log('gas: compiling and deploying the contracts on the Hardhat network…');
  await hre.run('compile', { quiet: true });
  const [governor, participant] = await hre.ethers.getSigners();
  const deployment = await deployContracts(governor);
  const registry = new Contract(deployment.registry, loadArtifact('ParticipantRegistry').abi, governor);
  await (await registry.register(participant.address, 'Bench Medical', 1, '', '', `0x${'11'.repeat(32)}`)).wait();
  const anchorLog = new Contract(deployment.anchorLog, loadArtifact('AnchorLog').abi, participant);

  let lastTo = 0;
  const anchor = async (size: number): Promise<number> => {
    const root = toHex(merkleRoot(randomLeaves(size)));
    lastTo += size;
    const receipt = await (await anchorLog.anchor(root, lastTo)).wait();
    return Number(receipt.gasUsed);
  };

  // The participant's very first anchor also creates its head slot: shown on its own.
  const firstGas = await anchor(1);
  const results: BenchResult[] = [
    {
      group: 'gas',
      name: "a participant's first anchor (batch of 1)",
      value: firstGas,
      unit: 'gas',
      note: 'one-off: writes the participant head slot from zero',
      detail: { gasUsed: firstGas },
    },
  ];
  for (const size of batchSizes) {
    log(`gas: anchoring ${ANCHORS_PER_SIZE} batches of ${fmt(size)} events…`);
    const gas: number[] = [];
    for (let i = 0; i < ANCHORS_PER_SIZE; i++) gas.push(await anchor(size));
    const perAnchor = Math.max(...gas);
    results.push({
      group: 'gas',
      name: `anchor, batch size ${fmt(size)}`,
      value: perAnchor,
      unit: 'gas/anchor',
      target: `<= ${fmt(GAS_TARGET_PER_ANCHOR)}`,
      meets: perAnchor <= GAS_TARGET_PER_ANCHOR,
      note: `${fmt(perAnchor / size)} gas per event; highest of ${ANCHORS_PER_SIZE} anchors`,
      detail: { batchSize: size, gasUsed: gas, gasPerEvent: perAnchor / size },
    });
  }
  return results;
}
