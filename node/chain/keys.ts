// The node's two keys: the secp256k1 chain key (anchors, registry calls) and the
// Ed25519 signing key (peer JWTs, signed documents) whose RFC 7638 thumbprint the registry holds.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Wallet, encryptKeystoreJson } from 'ethers';
import type { Provider } from 'ethers';
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JWK, CryptoKey } from 'jose';
import type { Config } from '../config';

export const LOCAL_CHAIN_KEY_FILE = 'chain-key.json';
export const LOCAL_CHAIN_KEY_PASSWORD_FILE = 'chain-key.password';
export const SIGNING_KEY_FILE = 'signing-key.json';

/**
 * The participant's chain wallet: CHAIN_PRIVATE_KEY, else the encrypted keystore
 * CHAIN_KEYSTORE (+ CHAIN_KEYSTORE_PASSWORD), else — on a local development chain only —
 * a key generated once and kept in `${dataDir}/chain-key.json` (ethers encrypted JSON) with a
 * generated password file beside it.
 */
export async function loadChainWallet(config: Config, dataDir: string, provider: Provider, localChain: boolean): Promise<Wallet> {
  if (config.chainPrivateKey) return new Wallet(config.chainPrivateKey, provider);
  if (config.chainKeystore) {
    const json = fs.readFileSync(config.chainKeystore, 'utf8');
    const wallet = await Wallet.fromEncryptedJson(json, config.chainKeystorePassword ?? '');
    return new Wallet(wallet.privateKey, provider);
  }
  if (!localChain) {
    throw new Error('no chain key: set CHAIN_PRIVATE_KEY or CHAIN_KEYSTORE and CHAIN_KEYSTORE_PASSWORD (a key is generated only for a local chain)');
  }
  const keyFile = path.join(dataDir, LOCAL_CHAIN_KEY_FILE);
  const passwordFile = path.join(dataDir, LOCAL_CHAIN_KEY_PASSWORD_FILE);
  if (!fs.existsSync(keyFile)) {
    fs.mkdirSync(dataDir, { recursive: true });
    if (!fs.existsSync(passwordFile)) writeAtomically(passwordFile, `${randomBytes(32).toString('hex')}\n`);
    const fresh = Wallet.createRandom();
    // A modest scrypt cost: this is a development key, opened at every start.
    const json = await encryptKeystoreJson(
      { address: fresh.address, privateKey: fresh.privateKey },
      fs.readFileSync(passwordFile, 'utf8').trim(),
      { scrypt: { N: 1 << 12 } },
    );
    writeAtomically(keyFile, json);
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const wallet = await Wallet.fromEncryptedJson(fs.readFileSync(keyFile, 'utf8'), password);
  return new Wallet(wallet.privateKey, provider);
}

export interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint of the public JWK, as the registry's bytes32 (0x hex). */
  thumbprint: string;
}

/** The node's Ed25519 signing key, generated once into `${dataDir}/signing-key.json` (private JWK, owner-only). */
export async function loadSigningKey(dataDir: string): Promise<SigningKey> {
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    writeAtomically(file, JSON.stringify({ ...jwk, alg: 'EdDSA' }));
  }
  const jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  const privateKey = (await importJWK(jwk, 'EdDSA')) as CryptoKey;
  const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const thumbprint = `0x${Buffer.from(base64url.decode(await calculateJwkThumbprint(publicJwk, 'sha256'))).toString('hex')}`;
  return { privateKey, publicJwk, thumbprint };
}

// Two processes sharing a data folder may both generate: the first rename wins,
// and both then read the same file.
function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.unlinkSync(tmp);
  }
}
