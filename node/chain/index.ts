// The node's chain side: deployment, local development chain, connection, registration.
export { artifactPath, hasArtifacts, loadArtifact } from './artifacts';
export type { Artifact, ContractName } from './artifacts';
export { deployContracts } from './deploy';
export type { DeployOptions } from './deploy';
export { readDeployment, writeDeployment } from './deployment';
export type { Deployment } from './deployment';
export { HARDHAT_ACCOUNT_0_KEY, startLocalChain, stopProcessGroup } from './localChain';
export type { LocalChain, LocalChainOptions } from './localChain';
export { connectChain } from './client';
export type { ChainClient } from './client';
export { loadChainWallet, loadSigningKey } from './keys';
export type { SigningKey } from './keys';
export { ensureRegistered, PARTICIPANT_ROLE_CODES } from './register';
export type { RegistrationState } from './register';
export { batchCount, getBatch, lastAnchoredTo } from './anchorLog';
export type { ChainBatch, AnchoredEvent } from './anchorLog';
export { feeOverrides, sendAndWait, withGasLimit } from './transactions';
export { queryLogsPaged, MAX_LOG_RANGE } from './logs';
