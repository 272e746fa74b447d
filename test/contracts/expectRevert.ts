// Assertions on exact custom errors and exact events, decoded with the contract's own ABI.
import { expect } from 'vitest';
import type { BaseContract, ContractTransactionReceipt, Interface, Result } from 'ethers';

/** Numbers become bigints and ethers Results plain arrays, so expected args can be written naturally. */
function normalize(value: unknown): unknown {
  if (typeof value === 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object' && 'toArray' in value) {
    return normalize((value as Result).toArray());
  }
  return value;
}

function revertData(error: unknown): string | undefined {
  let current: unknown = error;
  // ethers and hardhat-ethers nest the revert data at different depths.
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === 'string' && data.startsWith('0x')) return data;
    if (data !== null && typeof data === 'object' && typeof (data as { data?: unknown }).data === 'string') {
      return (data as { data: string }).data;
    }
    current = (current as { error?: unknown; info?: unknown }).error ?? (current as { info?: unknown }).info;
  }
  return undefined;
}

/**
 * Asserts that `action` reverts with the custom error `name` of `abi`'s interface (a contract or a
 * factory) and exactly `args`.
 */
export async function expectRevert(
  action: Promise<unknown>,
  abi: { interface: Interface },
  name: string,
  args: unknown[] = [],
): Promise<void> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`expected a revert with ${name}, but the call succeeded`);
  const data = revertData(caught);
  if (data === undefined) throw new Error(`expected a revert with ${name}, got: ${String(caught)}`);
  const parsed = abi.interface.parseError(data);
  if (parsed === null) throw new Error(`expected a revert with ${name}, got undecodable revert data ${data}`);
  expect(parsed.name).toBe(name);
  expect(normalize(parsed.args)).toEqual(normalize(args));
}

/**
 * Asserts that `receipt` holds exactly one event `name` emitted by `contract`, with exactly `args`.
 */
export function expectEvent(
  receipt: ContractTransactionReceipt | null,
  contract: BaseContract,
  name: string,
  args: unknown[],
): void {
  if (receipt === null) throw new Error('no receipt');
  const address = (contract.target as string).toLowerCase();
  const found = receipt.logs
    .filter((log) => log.address.toLowerCase() === address)
    .map((log) => contract.interface.parseLog(log))
    .filter((parsed) => parsed !== null && parsed.name === name);
  expect(found.length, `events ${name} emitted`).toBe(1);
  expect(normalize(found[0]!.args)).toEqual(normalize(args));
}

/** Asserts that `receipt` holds no event `name` emitted by `contract`. */
export function expectNoEvent(receipt: ContractTransactionReceipt | null, contract: BaseContract, name: string): void {
  if (receipt === null) throw new Error('no receipt');
  const address = (contract.target as string).toLowerCase();
  const names = receipt.logs
    .filter((log) => log.address.toLowerCase() === address)
    .map((log) => contract.interface.parseLog(log)?.name);
  expect(names).not.toContain(name);
}
