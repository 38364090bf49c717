// Audit entries: one per mutating API call (who, what, target, tenant, when, outcome).

/** How a mutating call ended. */
export type AuditOutcome = "ok" | "error";

/** An audit entry to append. */
export interface NewAuditEntry {
  at: Date;
  /** The caller's token id (null when the call was refused before a token was known). */
  tokenId: string | null;
  /** The caller's tenant (`*` for admin tokens). */
  tenant: string;
  /** What was done, `noun.verb`: `task.dispatch`, `task.cancel`, `token.create`, … */
  action: string;
  /** What it was done to: a task id, a definition name, a token id; null when none. */
  target: string | null;
  method: string;
  path: string;
  statusCode: number;
  outcome: AuditOutcome;
  /** The error code when `outcome` is `error`. */
  errorCode: string | null;
}

/** A stored audit entry; `id` grows with time. */
export interface AuditEntry extends NewAuditEntry {
  id: number;
}

/** A filter and page of the audit log (newest first). */
export interface AuditQuery {
  /** Entries of callers bound to this tenant only (`*` = admin callers). */
  tenant?: string;
  action?: string;
  tokenId?: string;
  /** Entries at or after this time. */
  from?: Date;
  /** 1..1000 */
  limit: number;
  /** Entries with an id below this (the `nextCursor` of the previous page). */
  beforeId?: number;
}

/** One page of audit entries. */
export interface AuditPage {
  items: AuditEntry[];
  /** Pass as `beforeId` for the next page; null on the last. */
  nextCursor: number | null;
}
