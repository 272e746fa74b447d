// Test harness: real chain, real database, real node processes.
export { ensureArtifacts, startTestChain } from './chain';
export type { TestChain } from './chain';
export { createServerDatabase, freshDatabase, testServerUrl } from './database';
export type { TestDatabase } from './database';
export { startTestNode, TEST_ADMIN_PASSWORD, waitFor } from './node';
export type { TestNode, TestNodeOptions } from './node';
export { freePort } from './ports';
export { pgliteTemplate, seedEmbeddedDatabase } from './pgliteTemplate';
export { startTcpProxy } from './tcpProxy';
export type { TcpProxy, TcpProxyOptions } from './tcpProxy';
export { postgresControl } from './postgresControl';
export type { PgStopMode, PostgresControl } from './postgresControl';
