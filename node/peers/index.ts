// Peers (DESIGN 6, 7): how one node calls another and how it checks who calls.
// - signPeerToken: a short-lived EdDSA JWT for one request to one node
// - requirePeer: the guard of every /peer/v1 route (sets c.get('peer'))
// - peerFetch: a signed JSON request to another participant's registered endpoint
export { createDirectory, DIRECTORY_TTL_MS } from './directory';
export type { ParticipantDirectory, ParticipantStatus, PeerInfo } from './directory';
export { peerFetch, PeerUnavailableError, PEER_FETCH_TIMEOUT_MS } from './fetch';
export type { PeerFetchInit, PeerUnavailableReason } from './fetch';
export { participantNotActive, peerAuth, requirePeer } from './requirePeer';
export { claimJti, pruneJtis } from './replay';
export {
  checkPeerToken,
  jwkThumbprintHex,
  peerPath,
  peerTokenInvalid,
  signPeerToken,
  PEER_CLOCK_SKEW_S,
  PEER_TOKEN_MAX_LIFETIME_S,
  PEER_TOKEN_TTL_S,
} from './token';
export type { CheckedToken, PeerTokenClaims, PeerTokenRule } from './token';
export { finishPendingKeyRotation, rotateSigningKey, updateOwnEndpoint, NEXT_SIGNING_KEY_FILE, PREVIOUS_SIGNING_KEY_FILE } from './participant';
export type { EndpointChange, KeyRotation } from './participant';
export { peerRoutes } from './routes';
