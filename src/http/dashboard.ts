// Serves the built dashboard (`dist/dashboard/`, made by `npm run build`) at `/`, with every
// other non-API GET answered by its index.html so the browser app's own routes survive a
// reload. Without a build, `/` says so and how to make one.
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The page `/` answers when there is no dashboard build. */
export const DASHBOARD_MISSING_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>taskrail</title></head>
<body style="font:15px/1.5 system-ui,sans-serif;max-width:640px;margin:40px auto">
<h1>taskrail</h1>
<p>The API is running, but the dashboard was not built: its folder <code>dist/dashboard/</code> does not exist.</p>
<p>Build it from the project folder with <code>npm run build</code>, then restart <code>taskrail serve</code>.</p>
<p>Meanwhile: the API is under <a href="/api/v1/reference"><code>/api/v1/reference</code></a> (browsable reference)
and <code>/api/v1/openapi.json</code>; health at <a href="/healthz"><code>/healthz</code></a>.</p>
</body></html>`;

/** True for paths the API (not the dashboard) owns: their unknown routes answer JSON 404s. */
export function isApiPath(url: string): boolean {
  return url.startsWith("/api/") || url === "/api" || url === "/healthz" || url === "/readyz" || url === "/metrics";
}

/**
 * Registers the dashboard. Returns the handler for unknown GETs outside the API (the SPA
 * fallback), or null when there is no build (then `/` answers DASHBOARD_MISSING_HTML).
 */
export async function registerDashboard(app: FastifyInstance, dir: string | null): Promise<((req: FastifyRequest, reply: FastifyReply) => FastifyReply) | null> {
  if (dir === null || !existsSync(join(dir, "index.html"))) {
    app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(DASHBOARD_MISSING_HTML));
    return null;
  }
  await app.register(fastifyStatic, { root: dir, prefix: "/", wildcard: true, index: ["index.html"], cacheControl: true, maxAge: 0 });
  return (_req, reply) => reply.type("text/html; charset=utf-8").sendFile("index.html");
}
