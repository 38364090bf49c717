// `/api/v1/tokens` and `/api/v1/audit`: API tokens and the audit log (admin tokens only).
import { ALL_TENANTS } from "../../core/api-token.js";
import { auditQuerySchema, idParamsSchema, tokenSpecSchema } from "../../core/validation/server-inputs.js";
import { issueApiToken, revokeApiToken } from "../../client/api-tokens.js";
import type { Store } from "../../store/store.js";
import type { TokenAuthenticator } from "../auth.js";
import { defineRoute, type RouteSpec } from "../route-spec.js";
import { ref } from "../openapi-refs.js";

/** The token and audit routes. */
export function adminRoutes(store: Store, authenticator: TokenAuthenticator): RouteSpec[] {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/tokens",
      operationId: "listTokens",
      summary: "Every API token (never their secrets), revoked ones too",
      tag: "auth",
      access: "admin",
      response: { description: "the tokens", schema: { type: "object", properties: { items: { type: "array", items: ref("ApiToken") } }, required: ["items"] } },
      handler: async () => ({ items: await store.listApiTokens(null) }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/tokens",
      operationId: "createToken",
      summary: "Create a token; the answer holds its secret, shown this once",
      description: "`admin` tokens cover every tenant (`tenant` omitted or `*`); `operator` and `viewer` tokens need a tenant.",
      tag: "auth",
      access: "admin",
      body: tokenSpecSchema,
      audit: "token.create",
      successStatus: 201,
      response: { description: "the new token with its secret", schema: ref("IssuedToken") },
      handler: async ({ body, setAuditTarget }) => {
        const issued = await issueApiToken(store, body);
        setAuditTarget(issued.id);
        return issued;
      },
    }),
    defineRoute({
      method: "DELETE",
      url: "/api/v1/tokens/:id",
      operationId: "revokeToken",
      summary: "Revoke a token (it stops working at once on this server, within 5 s on others)",
      tag: "auth",
      access: "admin",
      params: idParamsSchema,
      audit: "token.revoke",
      response: { description: "the revoked token", schema: ref("ApiToken") },
      handler: async ({ params }) => {
        const token = await revokeApiToken(store, params.id, null);
        authenticator.forget(token.id);
        return token;
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/audit",
      operationId: "listAudit",
      summary: "The audit log, newest first",
      description: `One entry per authenticated mutating call: who (token id), the caller's tenant (\`${ALL_TENANTS}\` for admins), action, target, time and outcome. Page with \`limit\` and the \`nextCursor\` of the previous page as \`cursor\`.`,
      tag: "auth",
      access: "admin",
      query: auditQuerySchema,
      response: { description: "a page of audit entries", schema: ref("AuditPage") },
      handler: ({ query }) =>
        store.listAuditEntries({ tenant: query.tenant, action: query.action, tokenId: query.tokenId, from: query.from, limit: query.limit ?? 100, beforeId: query.cursor }),
    }),
  ];
}
