// Human-readable ABI fragments of the contract reads and events verifiers rely
// on (DESIGN 5), so the SDK needs no build artifacts. Kept in step with
// contracts/interfaces/*.sol.

export const ANCHOR_LOG_ABI = [
  'function anchor(bytes32 root, uint64 to) returns (uint256 batch)',
  'function batchCount(address participant) view returns (uint256)',
  'function getBatch(address participant, uint256 batch) view returns (bytes32 root, uint64 from, uint64 to, uint64 anchoredAt)',
  'function lastAnchoredSeq(address participant) view returns (uint64)',
  'function registry() view returns (address)',
  'event Anchored(address indexed participant, uint256 indexed batch, bytes32 root, uint64 from, uint64 to)',
  'error AnchorLogInactiveParticipant(address participant)',
  'error AnchorLogZeroRoot()',
  'error AnchorLogEmptyRange(uint64 from, uint64 to)',
  'error AnchorLogUnknownBatch(address participant, uint256 batch)',
] as const;

export const REGISTRY_ABI = [
  'function statusOf(address participant) view returns (uint8 status, uint256 invalidFromBatch)',
  'function getParticipant(address participant) view returns (tuple(string name, uint8 role, string gln, string endpoint, bytes32 keyThumbprint, uint8 status, uint256 invalidFromBatch, uint64 registeredAt))',
  'function isActive(address participant) view returns (bool)',
  'function resolveGtin(string gtin14) view returns (address)',
  'function prefixOwner(string prefix) view returns (address)',
  'function participantCount() view returns (uint256)',
  'function participantAt(uint256 index) view returns (address)',
  'function prefixesOf(address participant) view returns (string[])',
] as const;

export const RECALL_BOARD_ABI = [
  'function publishRecall(string gtin14, string[] lots, uint8 recallClass, uint8 action, bytes32 noticeSha256, string noticeUri) returns (uint256 id)',
  'function updateStatus(uint256 id, uint8 status)',
  'function recallKey(string gtin14, string lot) pure returns (bytes32)',
  'function recallIdsByKey(bytes32 key) view returns (uint256[])',
  'function getRecall(uint256 id) view returns (tuple(string gtin14, string[] lots, uint8 recallClass, uint8 action, uint8 status, bytes32 noticeSha256, string noticeUri, address issuer, uint64 publishedAt, uint64 updatedAt))',
  'function recallCount() view returns (uint256)',
  'function recallsFor(string gtin14, string lot) view returns (uint256[])',
  'function registry() view returns (address)',
  'event RecallPublished(uint256 indexed id, address indexed issuer, string gtin14, string[] lots, uint8 recallClass, uint8 action, bytes32 noticeSha256, string noticeUri)',
  'event RecallStatusUpdated(uint256 indexed id, uint8 previousStatus, uint8 status)',
] as const;

/** ParticipantRegistry status values (statusOf). */
export const PARTICIPANT_STATUS = { unknown: 0, active: 1, suspended: 2, revoked: 3 } as const;
