// The node's configuration: read once from the environment at start, validated
// with zod, every bad variable reported at once with its name and its rule.
import path from 'node:path';
import { z } from 'zod';
import { ANCHOR_FAULTS, type AnchorFault } from './ledger/faults';

export class ConfigError extends Error {
  /** One line per bad variable: `NAME must be …, got "value"`. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const PARTICIPANT_ROLES = ['manufacturer', 'distributor', 'hospital', 'platform', 'other'] as const;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

// Each variable carries its rule as the message, so the error names it the same way everywhere.
function int(rule: string, min: number, max: number) {
  return z.string().trim().regex(/^\d+$/, rule).transform(Number).refine((n) => n >= min && n <= max, rule);
}
function text(rule: string) {
  return z.string().trim().min(1, rule);
}
function url(rule: string, protocols: RegExp) {
  return z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.test(new URL(value).protocol);
      } catch {
        return false;
      }
    }, rule);
}

const schema = z.object({
  PORT: int('must be an integer 0-65535', 0, 65535).default(8080),
  HOST: text('must be a host name or IP address').default('127.0.0.1'),
  DATA_DIR: text('must be a folder path').default('.medtrace/node'),
  DATABASE_URL: url('must be a postgres:// or postgresql:// URL', /^postgres(ql)?:$/).optional(),
  CHAIN_RPC_URL: url('must be an http(s):// URL', /^https?:$/).optional(),
  CHAIN_RPC_TIMEOUT_MS: int('must be an integer 1000-600000 (milliseconds)', 1000, 600_000).default(30_000),
  CHAIN_DEPLOYMENT: text('must be a file path').default('.medtrace/chain/deployment.json'),
  CHAIN_PRIVATE_KEY: z
    .string()
    .trim()
    .regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex (64 hex digits, optional 0x)')
    .transform((key) => (key.startsWith('0x') ? key : `0x${key}`).toLowerCase())
    .optional(),
  CHAIN_KEYSTORE: text('must be a file path').optional(),
  CHAIN_KEYSTORE_PASSWORD: z.string().optional(),
  PARTICIPANT_NAME: text('must not be empty').default('medtrace node'),
  PARTICIPANT_ROLE: z.enum(PARTICIPANT_ROLES, `must be one of ${PARTICIPANT_ROLES.join('|')}`).default('manufacturer'),
  PARTICIPANT_GLN: z.string().trim().regex(/^\d{13}$/, 'must be a 13-digit GLN').optional(),
  GS1_COMPANY_PREFIX: z.string().trim().regex(/^\d{4,12}$/, 'must be 4-12 digits').optional(),
  PUBLIC_URL: url('must be an http(s):// URL', /^https?:$/)
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  PUBLIC_CHAIN_RPC_URL: url('must be an http(s):// URL', /^https?:$/).optional(),
  CHAIN_EXPLORER_TX_URL: z.string().trim().regex(/^https?:\/\/\S*\{tx\}\S*$/, 'must be an http(s):// URL containing {tx}').optional(),
  EVENT_TIME_ZONE_OFFSET: z
    .string()
    .trim()
    .regex(/^[+-](0\d|1[0-4]):[0-5]\d$/, 'must be a UTC offset like +00:00 or -05:30')
    .default('+00:00'),
  ANCHOR_BATCH_SIZE: int('must be an integer 1-100000', 1, 100000).default(1000),
  ANCHOR_MAX_AGE_MS: int('must be an integer 0-86400000 (milliseconds)', 0, 86_400_000).default(5000),
  ANCHOR_POLL_MS: int('must be an integer 10-60000 (milliseconds)', 10, 60_000).default(250),
  ANCHOR_WORKER: z.enum(['on', 'off'], 'must be on|off').default('on'),
  AUDIT_CHECKPOINT_MS: int('must be an integer 1000-86400000 (milliseconds)', 1000, 86_400_000).default(3_600_000),
  LOG_LEVEL: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join('|')}`).default('info'),
  MEDTRACE_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  MEDTRACE_FAULT: z.enum(ANCHOR_FAULTS, `must be one of ${ANCHOR_FAULTS.join('|')}`).optional(),
  ECOMMERCE_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

type Raw = z.output<typeof schema>;

export interface Config {
  port: number;
  host: string;
  /** Absolute path. */
  dataDir: string;
  databaseUrl?: string;
  chainRpcUrl?: string;
  /** How long one JSON-RPC call to the chain may take before it fails (a chain that accepts connections and never answers). */
  chainRpcTimeoutMs: number;
  /** Absolute path. */
  chainDeployment: string;
  chainPrivateKey?: string;
  chainKeystore?: string;
  chainKeystorePassword?: string;
  participantName: string;
  participantRole: (typeof PARTICIPANT_ROLES)[number];
  participantGln?: string;
  gs1CompanyPrefix?: string;
  publicUrl?: string;
  /** A public read-only chain RPC the web pages read through (else the node's own proxy, /public/v1/chain-rpc). */
  publicChainRpcUrl?: string;
  /** A block explorer's transaction link with {tx}, for the console's anchor list. */
  chainExplorerTxUrl?: string;
  /** `eventTimeZoneOffset` written into every EPCIS event this node records. */
  eventTimeZoneOffset: string;
  anchorBatchSize: number;
  anchorMaxAgeMs: number;
  anchorPollMs: number;
  anchorWorker: boolean;
  /** How often the audit trail's head is checkpointed into the ledger, when it moved (AUDIT_CHECKPOINT_MS, default hourly). */
  auditCheckpointMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  adminPassword?: string;
  fault?: AnchorFault;
  /** HMAC-SHA256 key of the e-commerce order webhook; the webhook answers 503 while unset. */
  ecommerceWebhookSecret?: string;
  /** When set, GET /metrics wants `Authorization: Bearer <it>` (the scraper's); unset, /metrics is open like /health. */
  metricsToken?: string;
}

/**
 * Reads the node's configuration from `env`. Empty strings count as unset.
 * Throws `ConfigError` naming every bad variable with its rule and value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name} ${issue.message}, got ${JSON.stringify(input[name] ?? null)}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const raw: Raw = parsed.data;
  const problems: string[] = [];
  if (raw.CHAIN_PRIVATE_KEY && raw.CHAIN_KEYSTORE) problems.push('CHAIN_PRIVATE_KEY and CHAIN_KEYSTORE must not both be set');
  if (raw.CHAIN_KEYSTORE && raw.CHAIN_KEYSTORE_PASSWORD === undefined) {
    problems.push('CHAIN_KEYSTORE_PASSWORD must be set when CHAIN_KEYSTORE is set');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port: raw.PORT,
    host: raw.HOST,
    dataDir: path.resolve(cwd, raw.DATA_DIR),
    databaseUrl: raw.DATABASE_URL,
    chainRpcUrl: raw.CHAIN_RPC_URL,
    chainRpcTimeoutMs: raw.CHAIN_RPC_TIMEOUT_MS,
    chainDeployment: path.resolve(cwd, raw.CHAIN_DEPLOYMENT),
    chainPrivateKey: raw.CHAIN_PRIVATE_KEY,
    chainKeystore: raw.CHAIN_KEYSTORE === undefined ? undefined : path.resolve(cwd, raw.CHAIN_KEYSTORE),
    chainKeystorePassword: raw.CHAIN_KEYSTORE_PASSWORD,
    participantName: raw.PARTICIPANT_NAME,
    participantRole: raw.PARTICIPANT_ROLE,
    participantGln: raw.PARTICIPANT_GLN,
    gs1CompanyPrefix: raw.GS1_COMPANY_PREFIX,
    publicUrl: raw.PUBLIC_URL,
    publicChainRpcUrl: raw.PUBLIC_CHAIN_RPC_URL,
    chainExplorerTxUrl: raw.CHAIN_EXPLORER_TX_URL,
    eventTimeZoneOffset: raw.EVENT_TIME_ZONE_OFFSET,
    anchorBatchSize: raw.ANCHOR_BATCH_SIZE,
    anchorMaxAgeMs: raw.ANCHOR_MAX_AGE_MS,
    anchorPollMs: raw.ANCHOR_POLL_MS,
    anchorWorker: raw.ANCHOR_WORKER === 'on',
    auditCheckpointMs: raw.AUDIT_CHECKPOINT_MS,
    logLevel: raw.LOG_LEVEL,
    adminPassword: raw.MEDTRACE_ADMIN_PASSWORD,
    fault: raw.MEDTRACE_FAULT,
    ecommerceWebhookSecret: raw.ECOMMERCE_WEBHOOK_SECRET,
    metricsToken: raw.METRICS_TOKEN,
  };
}
