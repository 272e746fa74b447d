// `medtrace identity`: what the consortium governor needs to register a node
// (`medtrace register`): its chain address and the RFC 7638 thumbprint of its
// Ed25519 signing key. Creates the signing key in the data folder if it is not there yet.
import fs from 'node:fs';
import path from 'node:path';
import { Wallet } from 'ethers';
import { LOCAL_CHAIN_KEY_FILE, LOCAL_CHAIN_KEY_PASSWORD_FILE, loadSigningKey } from '../../node/chain/keys';
import { ConfigError, loadConfig } from '../../node/config';
import { type Command, EXIT_OK, UsageError, stringOption } from './command';

async function chainAddress(env: NodeJS.ProcessEnv, dataDir: string): Promise<{ address?: string; from: string }> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (config.chainPrivateKey) return { address: new Wallet(config.chainPrivateKey).address, from: 'CHAIN_PRIVATE_KEY' };
  if (config.chainKeystore) {
    const wallet = await Wallet.fromEncryptedJson(fs.readFileSync(config.chainKeystore, 'utf8'), config.chainKeystorePassword ?? '');
    return { address: wallet.address, from: `keystore ${config.chainKeystore}` };
  }
  const keyFile = path.join(dataDir, LOCAL_CHAIN_KEY_FILE);
  const passwordFile = path.join(dataDir, LOCAL_CHAIN_KEY_PASSWORD_FILE);
  if (fs.existsSync(keyFile) && fs.existsSync(passwordFile)) {
    const wallet = await Wallet.fromEncryptedJson(fs.readFileSync(keyFile, 'utf8'), fs.readFileSync(passwordFile, 'utf8').trim());
    return { address: wallet.address, from: `local key ${keyFile}` };
  }
  return { from: 'none: set CHAIN_PRIVATE_KEY or CHAIN_KEYSTORE + CHAIN_KEYSTORE_PASSWORD' };
}

export const identityCommand: Command = {
  name: 'identity',
  summary: "print a node's chain address and signing-key thumbprint (for register)",
  description: `
Prints the participant's chain address (from CHAIN_PRIVATE_KEY, the encrypted
keystore CHAIN_KEYSTORE + CHAIN_KEYSTORE_PASSWORD, or the local development key in
the data folder) and the SHA-256 JWK thumbprint (RFC 7638) of its Ed25519 signing
key, generating that key in the data folder when it is missing — exactly what the
node uses when it starts. The governor passes both to \`medtrace register\`.`,
  options: {
    'data-dir': { type: 'string', valueName: '<dir>', description: 'the node\'s data folder (default .medtrace/node)', env: 'DATA_DIR' },
    json: { type: 'boolean', description: 'print JSON' },
  },
  examples: ['CHAIN_KEYSTORE=acme-key.json CHAIN_KEYSTORE_PASSWORD=… medtrace identity --data-dir /var/lib/medtrace/acme'],
  async run(args) {
    const dataDir = path.resolve(stringOption(args, 'data-dir') ?? '.medtrace/node');
    const chain = await chainAddress({ ...process.env, DATA_DIR: dataDir }, dataDir);
    const signing = await loadSigningKey(dataDir);
    if (args.values.json) {
      process.stdout.write(`${JSON.stringify({ address: chain.address ?? null, chainKey: chain.from, thumbprint: signing.thumbprint, publicJwk: signing.publicJwk }, null, 2)}\n`);
    } else {
      process.stdout.write(
        [
          `address     ${chain.address ?? '(unknown)'}   (chain key: ${chain.from})`,
          `thumbprint  ${signing.thumbprint}   (Ed25519 signing key in ${dataDir})`,
          '',
        ].join('\n'),
      );
    }
    return EXIT_OK;
  },
};
