// Makes sure the node's participant is known to the registry. On a local
// development chain (the deployment carries the governor key) the governor
// registers it, funds it and assigns its GS1 company prefix; elsewhere
// registration is the consortium's job and this only reports the state.
import { Contract, Wallet, ZeroAddress, getAddress, parseEther } from 'ethers';
import type { Config } from '../config';
import { loadArtifact } from './artifacts';
import type { ChainClient } from './client';
import { loadSigningKey } from './keys';
import { sendAndWait } from './transactions';

export const PARTICIPANT_ROLE_CODES = { manufacturer: 1, distributor: 2, hospital: 3, platform: 4, other: 5 } as const;
export const PARTICIPANT_STATUS = { 0: 'unknown', 1: 'active', 2: 'suspended', 3: 'revoked' } as const;

export interface RegistrationState {
  status: 'unknown' | 'active' | 'suspended' | 'revoked';
  /** What this call changed on chain. */
  actions: string[];
}

const FUNDING = parseEther('100');
const LOW_BALANCE = parseEther('10');

/**
 * Registers the participant on a local chain if unknown (name, role, GLN, PUBLIC_URL as
 * endpoint, signing key thumbprint), tops its balance up to 100 ETH, assigns
 * GS1_COMPANY_PREFIX if still free, and rotates the registry's key thumbprint to ours
 * if it differs. `signingKeyThumbprint` defaults to the data folder's signing key.
 */
export async function ensureRegistered(chain: ChainClient, config: Config, signingKeyThumbprint?: string): Promise<RegistrationState> {
  const thumbprint = signingKeyThumbprint ?? (await loadSigningKey(config.dataDir)).thumbprint;
  const actions: string[] = [];
  const participant = getAddress(chain.address);
  const governorKey = chain.deployment.governor.privateKey;
  const governor = governorKey ? new Wallet(governorKey, chain.provider) : undefined;
  const asGovernor = governor ? new Contract(chain.deployment.registry, loadArtifact('ParticipantRegistry').abi, governor) : undefined;

  let status = Number((await chain.contracts.registry.statusOf(participant))[0]);
  if (status === 0) {
    if (!governor || !asGovernor) {
      return { status: 'unknown', actions };
    }
    await fund(governor, participant, actions);
    try {
      await sendAndWait(governor, {
        to: chain.deployment.registry,
        data: asGovernor.interface.encodeFunctionData('register', [
          participant,
          config.participantName,
          PARTICIPANT_ROLE_CODES[config.participantRole],
          config.participantGln ?? '',
          config.publicUrl ?? '',
          thumbprint,
        ]),
      });
      actions.push('registered');
    } catch (error) {
      // Another process of this node may have registered it meanwhile.
      if (Number((await chain.contracts.registry.statusOf(participant))[0]) === 0) throw error;
    }
    status = Number((await chain.contracts.registry.statusOf(participant))[0]);
  } else if (governor) {
    await fund(governor, participant, actions);
  }

  if (governor && asGovernor && config.gs1CompanyPrefix) {
    const owner = String(await chain.contracts.registry.prefixOwner(config.gs1CompanyPrefix));
    if (owner === ZeroAddress) {
      await sendAndWait(governor, {
        to: chain.deployment.registry,
        data: asGovernor.interface.encodeFunctionData('assignPrefix', [participant, config.gs1CompanyPrefix]),
      });
      actions.push(`assigned prefix ${config.gs1CompanyPrefix}`);
    } else if (getAddress(owner) !== participant) {
      throw new Error(`GS1 company prefix ${config.gs1CompanyPrefix} belongs to ${owner} on chain, not to this node (${participant})`);
    }
  }

  if (status === 1) {
    const onChain = (await chain.contracts.registry.getParticipant(participant)).keyThumbprint as string;
    if (onChain.toLowerCase() !== thumbprint.toLowerCase()) {
      await sendAndWait(chain.wallet, {
        to: chain.deployment.registry,
        data: chain.contracts.registry.interface.encodeFunctionData('rotateKey', [thumbprint]),
      });
      actions.push('rotated key thumbprint');
    }
  }
  return { status: PARTICIPANT_STATUS[status as 0 | 1 | 2 | 3] ?? 'unknown', actions };
}

async function fund(governor: Wallet, participant: string, actions: string[]): Promise<void> {
  const fee = await governor.provider!.getFeeData();
  if (fee.gasPrice === 0n) return; // a free-gas network needs no funding
  if ((await governor.provider!.getBalance(participant)) >= LOW_BALANCE) return;
  await sendAndWait(governor, { to: participant, value: FUNDING });
  actions.push('funded 100 ETH');
}
