// API tokens: who may call the HTTP API, for which tenant, with which role.

/** What a token may do: `admin` everything in every tenant, `operator` read and change its tenant, `viewer` read it. */
export type Role = "admin" | "operator" | "viewer";

/** Every role, most powerful first. */
export const ROLES: readonly Role[] = ["admin", "operator", "viewer"];

/** The tenant value stored for admin tokens: every tenant. */
export const ALL_TENANTS = "*";

/** A stored token (never its secret: only the secret's sha-256 is stored). */
export interface ApiToken {
  id: string;
  /** The tenant it is bound to, or `*` (admin tokens: every tenant). */
  tenant: string;
  role: Role;
  /** Free text to tell tokens apart (`created by serve on first start`, `ci deploys`). */
  name: string | null;
  createdAt: Date;
  /** Set once revoked; a revoked token never authenticates again. */
  revokedAt: Date | null;
}

/** A token to store: `secretHash` is the lowercase hex sha-256 of the secret. */
export interface NewApiToken {
  id: string;
  tenant: string;
  role: Role;
  name: string | null;
  secretHash: string;
  createdAt: Date;
}
