import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../node/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/node');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('loadConfig', () => {
  test('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({}, '/srv/node');
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: path.resolve('/srv/node', '.medtrace/node'),
      chainDeployment: path.resolve('/srv/node', '.medtrace/chain/deployment.json'),
      participantName: 'medtrace node',
      participantRole: 'manufacturer',
      eventTimeZoneOffset: '+00:00',
      anchorBatchSize: 1000,
      anchorMaxAgeMs: 5000,
      anchorPollMs: 250,
      anchorWorker: true,
      chainRpcTimeoutMs: 30_000,
      logLevel: 'info',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.chainRpcUrl).toBeUndefined();
  });

  test('reads every variable it knows and treats empty strings as unset', () => {
    const config = loadConfig(
      {
        PORT: '9000',
        DATABASE_URL: 'postgres://u:p@db:5432/medtrace',
        CHAIN_RPC_URL: 'http://127.0.0.1:8545',
        CHAIN_PRIVATE_KEY: 'AC0974BEC39A17E36BA4A6B4D238FF944BACB478CBED5EFCAE784D7BF4F2FF80',
        PARTICIPANT_ROLE: 'hospital',
        PARTICIPANT_GLN: '9506000000003',
        GS1_COMPANY_PREFIX: '9506000',
        PUBLIC_URL: 'https://node.example.com/',
        ANCHOR_WORKER: 'off',
        HOST: '',
      },
      '/srv/node',
    );
    expect(config.port).toBe(9000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.chainPrivateKey).toBe('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
    expect(config.participantRole).toBe('hospital');
    expect(config.publicUrl).toBe('https://node.example.com');
    expect(config.anchorWorker).toBe(false);
  });

  test('names a bad PORT with its rule and the value given', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT must be an integer 0-65535, got "abc"']);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT must be an integer 0-65535, got "70000"']);
  });

  test('reports every bad variable at once', () => {
    const problems = problemsOf({
      PORT: '-1',
      DATABASE_URL: 'mysql://x',
      PARTICIPANT_ROLE: 'pharmacy',
      ANCHOR_BATCH_SIZE: '0',
      ANCHOR_WORKER: 'yes',
      CHAIN_PRIVATE_KEY: '0x1234',
      EVENT_TIME_ZONE_OFFSET: '+8',
    });
    expect(problems).toEqual([
      'PORT must be an integer 0-65535, got "-1"',
      'DATABASE_URL must be a postgres:// or postgresql:// URL, got "mysql://x"',
      'CHAIN_PRIVATE_KEY must be 32 bytes of hex (64 hex digits, optional 0x), got "0x1234"',
      'PARTICIPANT_ROLE must be one of manufacturer|distributor|hospital|platform|other, got "pharmacy"',
      'EVENT_TIME_ZONE_OFFSET must be a UTC offset like +00:00 or -05:30, got "+8"',
      'ANCHOR_BATCH_SIZE must be an integer 1-100000, got "0"',
      'ANCHOR_WORKER must be on|off, got "yes"',
    ]);
  });

  test('takes only an http(s) chain RPC URL, and a bounded per-call timeout', () => {
    // ethers' JsonRpcProvider speaks HTTP only: a ws:// URL would pass here and fail on the first call.
    expect(problemsOf({ CHAIN_RPC_URL: 'ws://127.0.0.1:8546' })).toEqual(['CHAIN_RPC_URL must be an http(s):// URL, got "ws://127.0.0.1:8546"']);
    expect(problemsOf({ CHAIN_RPC_TIMEOUT_MS: '500' })).toEqual(['CHAIN_RPC_TIMEOUT_MS must be an integer 1000-600000 (milliseconds), got "500"']);
    expect(loadConfig({ CHAIN_RPC_TIMEOUT_MS: '5000' }, '/srv/node').chainRpcTimeoutMs).toBe(5000);
  });

  test('the error message lists each problem on its own line', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(
      /invalid configuration:\n {2}PORT must be an integer 0-65535, got "x"\n {2}LOG_LEVEL must be one of debug\|info\|warn\|error\|silent, got "loud"/,
    );
  });

  test('refuses two chain keys, and a keystore without its password', () => {
    expect(problemsOf({ CHAIN_PRIVATE_KEY: '11'.repeat(32), CHAIN_KEYSTORE: 'key.json', CHAIN_KEYSTORE_PASSWORD: 'pw' })).toEqual([
      'CHAIN_PRIVATE_KEY and CHAIN_KEYSTORE must not both be set',
    ]);
    expect(problemsOf({ CHAIN_KEYSTORE: 'key.json' })).toEqual(['CHAIN_KEYSTORE_PASSWORD must be set when CHAIN_KEYSTORE is set']);
  });
});
