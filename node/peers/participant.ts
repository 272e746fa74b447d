// The node's own registry entry and the two changes a participant makes to it
// itself: rotating its Ed25519 signing key and moving its endpoint. The chain
// is changed first; the key file is replaced only once the registry holds the
// new thumbprint (the old key stays in signing-key.previous.json).
import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { getAddress } from 'ethers';
import { SIGNING_KEY_FILE, type SigningKey } from '../chain/keys';
import { sendAndWait } from '../chain/transactions';
import type { NodeContext } from '../context';
import { ProblemError } from '../http/problem';
import type { PeerInfo } from './directory';
import { jwkThumbprintHex } from './token';

export const PREVIOUS_SIGNING_KEY_FILE = 'signing-key.previous.json';
/** The new key while its thumbprint is on its way to the registry. */
export const NEXT_SIGNING_KEY_FILE = 'signing-key.next.json';

type Ctx = Pick<NodeContext, 'participant' | 'chain' | 'directory' | 'signingKey' | 'config'>;

/** 409 unless the registry lists this node as active (the registry refuses changes otherwise). */
export async function requireOwnEntryActive(ctx: Ctx): Promise<PeerInfo> {
  const own = await ctx.directory.get(ctx.participant, { fresh: true });
  if (own.status !== 'active') {
    throw new ProblemError(
      409,
      'participant-not-active',
      'Participant not active',
      `this node (${ctx.participant}) is ${own.status} in the registry; only an active participant can change its entry`,
      { participant: ctx.participant, participantStatus: own.status },
    );
  }
  return own;
}

// One rotation or endpoint change at a time per node (both send from the node's chain key).
const queues = new WeakMap<object, Promise<unknown>>();
function serialized<T>(ctx: Ctx, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(ctx) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(ctx, next);
  return next;
}

export interface KeyRotation {
  previousThumbprint: string;
  thumbprint: string;
  txHash: string;
  blockNumber: number;
}

/**
 * A new Ed25519 signing key: its thumbprint is sent to the registry (`rotateKey`),
 * then the key file is replaced (the old one kept as signing-key.previous.json) and
 * the running node signs with the new key.
 */
export function rotateSigningKey(ctx: Ctx): Promise<KeyRotation> {
  return serialized(ctx, async () => {
    await requireOwnEntryActive(ctx);
    const dataDir = ctx.config.dataDir;
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const publicJwk: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x };
    const thumbprint = await jwkThumbprintHex(publicJwk);
    const nextFile = path.join(dataDir, NEXT_SIGNING_KEY_FILE);
    fs.writeFileSync(nextFile, JSON.stringify({ ...privateJwk, alg: 'EdDSA' }), { mode: 0o600 });
    let sent: { hash: string; blockNumber: number };
    try {
      const registry = ctx.chain.contracts.registry;
      sent = await sendAndWait(ctx.chain.wallet, {
        to: ctx.chain.deployment.registry,
        data: registry.interface.encodeFunctionData('rotateKey', [thumbprint]),
      });
    } catch (error) {
      fs.rmSync(nextFile, { force: true });
      throw error;
    }
    const previousThumbprint = ctx.signingKey.thumbprint;
    const current = path.join(dataDir, SIGNING_KEY_FILE);
    if (fs.existsSync(current)) fs.renameSync(current, path.join(dataDir, PREVIOUS_SIGNING_KEY_FILE));
    fs.renameSync(nextFile, current);
    // In place: whoever holds the context's key object signs with the new key from now on.
    const fresh: SigningKey = { privateKey: privateKey as CryptoKey, publicJwk, thumbprint };
    Object.assign(ctx.signingKey, fresh);
    ctx.directory.forget(ctx.participant);
    return { previousThumbprint, thumbprint, txHash: sent.hash, blockNumber: sent.blockNumber };
  });
}

export interface EndpointChange {
  previousEndpoint: string;
  endpoint: string;
  txHash: string;
  blockNumber: number;
}

/** Sets the node's endpoint in the registry (`updateEndpoint`). */
export function updateOwnEndpoint(ctx: Ctx, endpoint: string): Promise<EndpointChange> {
  return serialized(ctx, async () => {
    const own = await requireOwnEntryActive(ctx);
    const registry = ctx.chain.contracts.registry;
    const sent = await sendAndWait(ctx.chain.wallet, {
      to: ctx.chain.deployment.registry,
      data: registry.interface.encodeFunctionData('updateEndpoint', [endpoint]),
    });
    ctx.directory.forget(ctx.participant);
    return { previousEndpoint: own.endpoint, endpoint, txHash: sent.hash, blockNumber: sent.blockNumber };
  });
}

/**
 * At start, before the signing key is loaded: a rotation interrupted between the
 * registry transaction and the file swap leaves signing-key.next.json behind. If
 * the registry holds its thumbprint, the swap is finished ('completed'); otherwise
 * the new key never reached the registry and is dropped ('discarded').
 */
export async function finishPendingKeyRotation(
  chain: Pick<NodeContext['chain'], 'contracts' | 'address'>,
  dataDir: string,
): Promise<'none' | 'completed' | 'discarded'> {
  const nextFile = path.join(dataDir, NEXT_SIGNING_KEY_FILE);
  if (!fs.existsSync(nextFile)) return 'none';
  const next = JSON.parse(fs.readFileSync(nextFile, 'utf8')) as JWK;
  const thumbprint = await jwkThumbprintHex(next);
  const participant = getAddress(chain.address);
  const [status] = await chain.contracts.registry.statusOf(participant);
  const onChain = Number(status) === 0 ? '' : String((await chain.contracts.registry.getParticipant(participant)).keyThumbprint).toLowerCase();
  if (onChain !== thumbprint) {
    fs.rmSync(nextFile, { force: true });
    return 'discarded';
  }
  const current = path.join(dataDir, SIGNING_KEY_FILE);
  if (fs.existsSync(current)) fs.renameSync(current, path.join(dataDir, PREVIOUS_SIGNING_KEY_FILE));
  fs.renameSync(nextFile, current);
  return 'completed';
}

/** The GS1 company prefixes the registry assigns to this node. */
export async function ownPrefixes(ctx: Ctx): Promise<string[]> {
  const prefixes = (await ctx.chain.contracts.registry.prefixesOf(getAddress(ctx.participant))) as string[];
  return prefixes.map(String);
}
