// The per-request variables every route may read (set by the app's middleware).
import type { StaffAuth } from '../auth/tokens';
import type { PeerInfo } from '../peers/directory';
import type { Logger } from './logger';
import type { AuditorAuth, AuditPrincipal } from '../auditors/tokens';

export const STAFF_ROLES = ['admin', 'qa', 'warehouse', 'sales', 'viewer'] as const;
export type Role = (typeof STAFF_ROLES)[number];

/** The authenticated staff member (set by requireRole). */
export interface StaffUser {
  username: string;
  roles: Role[];
}

export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Token checks for requireRole (set once for the whole app). */
    auth: StaffAuth;
    user: StaffUser;
    /** Auditor token checks for /audit/v1 (set once for the whole app). */
    auditors: AuditorAuth;
    /** Who reads /audit/v1: an auditor token's holder, or a staff member with readAudit (set by requireAudit). */
    auditor: AuditPrincipal;
    /** The calling participant of a /peer/v1 route (set by requirePeer). */
    peer: PeerInfo;
  };
}
