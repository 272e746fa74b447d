// Starts one participant node: configuration, database and migrations, the
// chain and the participant's registration, the first admin, the anchoring
// worker and the HTTP server; stops them in reverse order on SIGTERM/SIGINT.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { bootstrapAdmin } from './auth/users';
import { connectChain, ensureRegistered, loadSigningKey } from './chain';
import { createDirectory } from './peers/directory';
import { finishPendingKeyRotation } from './peers/participant';
import { ConfigError, loadConfig } from './config';
import type { NodeContext } from './context';
import { migrate, openDatabase } from './db';
import { driverPatchWarning, postgresDriverPatch } from './db/driverPatch';
import { createLogger } from './http/logger';
import { startAnchorWorker } from './ledger/anchorWorker';
import { startExpiryJob } from './lots/expiry';
import { startAuditCheckpoints } from './audit/trailChain';
import { startOutbox } from './network/outbox';
import { startRecallWatcher } from './recalls/watcher';

const SHUTDOWN_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`medtrace node: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  fs.mkdirSync(config.dataDir, { recursive: true });

  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrate(db.sql);
  log.info('database ready', { embedded: db.embedded, migrationsApplied: applied });
  const unpatched = driverPatchWarning(postgresDriverPatch());
  if (unpatched) log.warn(unpatched);

  const chain = await connectChain(config);
  // A key rotation interrupted between its registry transaction and the key file swap.
  const pendingRotation = await finishPendingKeyRotation(chain, config.dataDir);
  if (pendingRotation !== 'none') log.info('pending signing key rotation', { outcome: pendingRotation });
  const registration = await ensureRegistered(chain, config);
  log.info('chain ready', { chainId: chain.chainId, participant: chain.address, registration: registration.status, actions: registration.actions });

  const admin = await bootstrapAdmin(db.sql, { password: config.adminPassword });
  if (admin.password !== undefined) {
    log.info('bootstrap admin created', { username: admin.username, passwordFrom: admin.generated ? 'generated' : 'MEDTRACE_ADMIN_PASSWORD' });
    if (admin.generated) {
      // Shown once, never stored in clear: the operator writes it down now.
      process.stdout.write(
        `\n  medtrace: first start, an administrator was created.\n` +
          `    username: ${admin.username}\n    password: ${admin.password}\n` +
          `  This password is shown only once.\n\n`,
      );
    }
  }

  const ctx: NodeContext = {
    config,
    db,
    sql: db.sql,
    chain,
    participant: chain.address,
    chainId: chain.chainId,
    signingKey: await loadSigningKey(config.dataDir),
    directory: createDirectory(chain),
    log: log.child({ participant: chain.address }),
  };
  const worker = config.anchorWorker
    ? startAnchorWorker(
        { db, chain, participant: ctx.participant, log: ctx.log },
        { batchSize: config.anchorBatchSize, maxAgeMs: config.anchorMaxAgeMs, pollMs: config.anchorPollMs, fault: config.fault },
      )
    : undefined;
  // The audit trail's head goes into the ledger (and so gets anchored) every AUDIT_CHECKPOINT_MS, when it moved.
  const auditCheckpoints = startAuditCheckpoints(
    ctx.sql,
    { participant: ctx.participant, chainId: ctx.chainId, eventTimeZoneOffset: config.eventTimeZoneOffset },
    { intervalMs: config.auditCheckpointMs, log: ctx.log },
  );

  // Lots whose expiry date has come become `expired` (at start, then hourly).
  const expiryJob = startExpiryJob({
    sql: ctx.sql,
    ledger: { participant: ctx.participant, chainId: ctx.chainId, eventTimeZoneOffset: config.eventTimeZoneOffset },
    log: ctx.log,
  });

  // Messages owed to other nodes (shipment notices, …): delivered and retried until they answer 2xx.
  const outbox = startOutbox(ctx, { log: ctx.log });

  // Recalls on the RecallBoard: affected stock quarantined, customers told, acknowledgements sent upstream.
  const recallWatcher = startRecallWatcher(ctx, { pollMs: 1_000 });

  const app = createApp(ctx);
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info: AddressInfo) => {
    log.info('listening', { url: `http://${info.address}:${info.port}`, docs: `http://${info.address}:${info.port}/docs` });
  });
  server.on('error', (error) => {
    log.error('HTTP server failed', { error });
    process.exit(1);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.error('shutdown timed out', { afterMs: SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    try {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open; in-flight requests finish.
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await closed;
      await auditCheckpoints.stop();
      await worker?.stop();
      await expiryJob.stop();
      await recallWatcher.stop();
      await outbox.stop();
      chain.close();
      await db.close();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error('shutdown failed', { error });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  createLogger('error').error('node failed to start', { error });
  process.exit(1);
});
