// A minimal Fastify app for testing HTTP plugins on their own: a test-only auth hook that
// takes the caller from `x-test-tenant` / `x-test-role` headers, and the API's error mapping.
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from "fastify";
import type {} from "../../src/http/auth.js";
import { TaskrailError } from "../../src/core/errors.js";
import { errorResponse } from "../../src/http/error-status.js";

/** Header value of `x-test-tenant` meaning an admin (every tenant). */
export const ADMIN = "*";

/**
 * Builds and starts (port 0) an app with `plugins` registered after the test auth hook.
 * A request without `x-test-tenant` is answered 401, as the real server would.
 */
export async function startTestApp<O extends Record<string, unknown>>(plugins: { plugin: FastifyPluginAsync<O>; options: O }[]): Promise<{ app: FastifyInstance; baseUrl: string }> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.decorateRequest("auth", undefined);
  // Test-only stand-in for the server's bearer-token hook (src/http/auth.ts).
  app.addHook("onRequest", async (request, reply) => {
    const tenant = request.headers["x-test-tenant"];
    if (typeof tenant !== "string") return reply.code(401).send({ error: { code: "UNAUTHORIZED", message: "missing test tenant" } });
    const role = request.headers["x-test-role"];
    request.auth = { tokenId: "test-token", tenant: tenant === ADMIN ? null : tenant, role: role === "admin" || role === "operator" ? role : "viewer" };
  });
  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof TaskrailError) {
      const { status, body } = errorResponse(err);
      return reply.code(status).send(body);
    }
    return reply.code(500).send({ error: { code: "INTERNAL", message: String(err) } });
  });
  for (const { plugin, options } of plugins) await app.register(plugin as FastifyPluginAsync, options as Record<string, unknown>);
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, baseUrl: address };
}
