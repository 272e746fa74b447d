// Fault 2: the chain unreachable for a minute (FAULT_CHAIN_OUTAGE_MS, default
// 60,000) while clients write. The node reaches the Hardhat node through a TCP
// proxy; cutting it destroys the open connections and refuses new ones. Writes
// go on (every one answered 201), the anchoring backlog drains once the proxy
// is back, nothing is lost, nothing is anchored twice, every event verifies
// (chainFault.ts).
import { describeChainFault } from './chainFault';

describeChainFault(
  {
    name: 'chain-unreachable',
    title: 'the chain unreachable under load (connections refused)',
    lot: 'OUTAGE',
    tag: 'OUT',
    faultMs: Number(process.env.FAULT_CHAIN_OUTAGE_MS ?? 60_000),
    begin: (proxy) => proxy.cut(),
  },
  () => undefined,
);
