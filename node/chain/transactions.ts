// Sending transactions the way a permissioned EVM (Besu QBFT) wants them:
// an explicit gas limit on every transaction, and legacy zero-price
// transactions when the network charges no gas.
import type { Provider, Signer, TransactionRequest } from 'ethers';

/** Fee fields for `provider`'s network: `{ type: 0, gasPrice: 0 }` on a free-gas network, else none (ethers fills them). */
export async function feeOverrides(provider: Provider): Promise<TransactionRequest> {
  const fee = await provider.getFeeData();
  if (fee.gasPrice === 0n) return { type: 0, gasPrice: 0n };
  return {};
}

/** `tx` with an explicit gas limit: the node's estimate plus 25 % and a fixed margin. */
export async function withGasLimit(signer: Signer, tx: TransactionRequest): Promise<TransactionRequest> {
  const estimate = await signer.estimateGas(tx);
  return { ...tx, gasLimit: (estimate * 125n) / 100n + 20_000n };
}

/** Estimates, sends and waits for one transaction; throws when it reverts. */
export async function sendAndWait(signer: Signer, tx: TransactionRequest): Promise<{ hash: string; blockNumber: number }> {
  if (!signer.provider) throw new Error('sendAndWait: the signer has no provider');
  const request = await withGasLimit(signer, { ...(await feeOverrides(signer.provider)), ...tx });
  const sent = await signer.sendTransaction(request);
  const receipt = await sent.wait(1, 60_000);
  if (!receipt || receipt.status !== 1) throw new Error(`transaction ${sent.hash} reverted`);
  return { hash: sent.hash, blockNumber: receipt.blockNumber };
}
