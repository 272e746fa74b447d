// The SDK's entry (DESIGN 9): auditors and partner systems build on these names.
export * from './errors';
export * from './hex';
export * from './hash';
export * from './canonical';
export * from './merkle';
export * from './unitSet';
export * from './ledger';
export * from './bundle';
export * from './verificationCache';
export * from './chain';
export * from './client';
export * from './gs1';
export * from './chainReads';
