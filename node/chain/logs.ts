// eth_getLogs in pages: Besu (and most hosted RPCs) cap a query's block range.
import type { Contract, ContractEventName, EventLog, Log } from 'ethers';

export const MAX_LOG_RANGE = 1000;

/** Every log of `contract` matching `filter` in [fromBlock, toBlock], queried 1,000 blocks at a time. */
export async function queryLogsPaged(
  contract: Contract,
  filter: ContractEventName,
  fromBlock: number,
  toBlock: number,
): Promise<Array<EventLog | Log>> {
  const out: Array<EventLog | Log> = [];
  for (let start = fromBlock; start <= toBlock; start += MAX_LOG_RANGE) {
    const end = Math.min(toBlock, start + MAX_LOG_RANGE - 1);
    out.push(...(await contract.queryFilter(filter, start, end)));
  }
  return out;
}
