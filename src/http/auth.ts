// Bearer-token authentication and role checks for the HTTP API. Sets `request.auth` (the
// contract every route and plugin relies on) from the `Authorization: Bearer <token>` header.
import type { FastifyRequest } from "fastify";
import { ALL_TENANTS, type ApiToken, type Role } from "../core/api-token.js";
import { ForbiddenError, UnauthorizedError } from "../core/errors.js";
import { hashTokenSecret } from "../client/api-tokens.js";
import type { Store } from "../store/store.js";

/** Who is calling: set on every authenticated request. */
export interface RequestAuth {
  tokenId: string;
  /** The caller's tenant; null = admin, every tenant. */
  tenant: string | null;
  role: Role;
}

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The caller, set by the auth hook before any handler of a route that needs a token
     * runs. Undefined only on public routes (`/healthz`, `/readyz`, `/metrics` by option,
     * static pages).
     */
    auth?: RequestAuth;
  }
}

/** What each role may do, least to most: a route needing `operator` admits operators and admins. */
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** The minimum role a route needs, or `public` (no token). */
export type Access = "public" | Role;

/** Throws ForbiddenError unless `auth.role` is at least `needed`. */
export function checkRole(auth: RequestAuth, needed: Role): void {
  if (RANK[auth.role] >= RANK[needed]) return;
  const what = needed === "admin" ? "an admin token" : "an operator or admin token";
  throw new ForbiddenError(`this call needs ${what}; token ${auth.tokenId} is a ${auth.role}`);
}

/** How long a verified token is trusted without asking the store again. */
export const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 10_000;

/**
 * Verifies bearer tokens against the store. Verified tokens are cached for TOKEN_CACHE_MS so
 * a dispatch does not pay a second database round trip; a revocation made through this
 * process applies at once (`forget`), one made elsewhere within TOKEN_CACHE_MS. Unknown
 * secrets are never cached (random guesses cannot fill the cache).
 */
export class TokenAuthenticator {
  private readonly cache = new Map<string, { auth: RequestAuth; until: number }>();

  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  /** The caller of a request, or UnauthorizedError (no header, not Bearer, unknown or revoked token). */
  async authenticate(request: FastifyRequest): Promise<RequestAuth> {
    const header = request.headers.authorization;
    if (header === undefined || header === "") throw new UnauthorizedError("missing bearer token: send Authorization: Bearer <token>");
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) throw new UnauthorizedError("malformed Authorization header: expected Bearer <token>");
    return this.verify(match[1]);
  }

  /** The caller a token secret stands for, or UnauthorizedError. */
  async verify(secret: string): Promise<RequestAuth> {
    const hash = hashTokenSecret(secret);
    const now = this.now();
    const cached = this.cache.get(hash);
    if (cached !== undefined && cached.until > now) return cached.auth;
    const token = await this.store.findApiTokenByHash(hash);
    if (token === null) {
      this.cache.delete(hash);
      throw new UnauthorizedError("invalid or revoked token");
    }
    const auth = authOf(token);
    if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { auth, until: now + TOKEN_CACHE_MS });
    return auth;
  }

  /** Drops a token from the cache (after revoking it). */
  forget(tokenId: string): void {
    for (const [hash, entry] of this.cache) if (entry.auth.tokenId === tokenId) this.cache.delete(hash);
  }
}

/** The request identity of a stored token. */
export function authOf(token: ApiToken): RequestAuth {
  return { tokenId: token.id, tenant: token.tenant === ALL_TENANTS ? null : token.tenant, role: token.role };
}
