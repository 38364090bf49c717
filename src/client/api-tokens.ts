// Issuing API tokens: a random secret shown once, stored only as its sha-256.
import { createHash, randomBytes } from "node:crypto";
import { ALL_TENANTS, type ApiToken, type Role } from "../core/api-token.js";
import { TokenNotFoundError } from "../core/errors.js";
import { resolveTokenSpec, type TokenSpec } from "../core/validation/server-inputs.js";
import type { Store, TenantScope } from "../store/store.js";

/** Prefix of every token secret, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_SECRET_PREFIX = "trk_";

/** A freshly issued token: `token` is the secret, shown this once and never stored. */
export interface IssuedToken {
  id: string;
  token: string;
  tenant: string;
  role: Role;
  name: string | null;
}

/** The lowercase hex sha-256 of a token secret (what the store keeps and looks up). */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * A new id and secret. 32 random bytes make guessing hopeless, which is also why a plain
 * sha-256 (no salt, no slow KDF) is enough to store them: there is no dictionary to attack.
 */
function newTokenCredentials(): { id: string; token: string } {
  return { id: `tok_${randomBytes(8).toString("hex")}`, token: `${TOKEN_SECRET_PREFIX}${randomBytes(32).toString("base64url")}` };
}

/** Validates `spec` and stores a new token; the secret is only in the result. */
export async function issueApiToken(store: Store, spec: TokenSpec, now: Date = new Date()): Promise<IssuedToken> {
  const resolved = resolveTokenSpec(spec);
  const { id, token } = newTokenCredentials();
  await store.createApiToken({ id, ...resolved, secretHash: hashTokenSecret(token), createdAt: now });
  return { id, token, ...resolved };
}

/**
 * On a store without any token, creates the first admin token and returns it (to print once);
 * null when tokens exist already (or another process created the first one just now).
 */
export async function issueInitialAdminToken(store: Store, now: Date = new Date()): Promise<IssuedToken | null> {
  const { id, token } = newTokenCredentials();
  const name = "first admin token (created by taskrail serve)";
  const created = await store.createApiToken(
    { id, tenant: ALL_TENANTS, role: "admin", name, secretHash: hashTokenSecret(token), createdAt: now },
    { onlyIfNone: true },
  );
  return created ? { id, token, tenant: ALL_TENANTS, role: "admin", name } : null;
}

/** Revokes a token (inside `tenant` when a string); TokenNotFoundError when there is none. */
export async function revokeApiToken(store: Store, id: string, tenant: TenantScope, now: Date = new Date()): Promise<ApiToken> {
  const revoked = await store.revokeApiToken(id, tenant, now);
  if (revoked === null) throw new TokenNotFoundError(id);
  return revoked;
}
