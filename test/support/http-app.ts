// An HTTP app on a fresh SQLite store with tokens for two tenants, for in-process API tests.
import type { FastifyInstance } from "fastify";
import { EventBus } from "../../src/core/events.js";
import { issueApiToken } from "../../src/client/api-tokens.js";
import { createHttpApp, type HttpAppDeps } from "../../src/http/create-http-app.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

/** The secrets of the tokens a test app holds: admin, and operator/viewer of tenants `a` and `b`. */
export interface TestTokens {
  admin: string;
  operatorA: string;
  viewerA: string;
  operatorB: string;
  viewerB: string;
}

/** A running test app. */
export interface TestApp {
  app: FastifyInstance;
  store: SqliteStore;
  events: EventBus;
  tokens: TestTokens;
  /** `{ authorization: "Bearer …" }` for a token secret. */
  bearer(token: string): { authorization: string };
  close(): Promise<void>;
}

/** Builds an app on an in-memory SQLite store with the tokens of TestTokens. */
export async function openTestApp(overrides: Partial<HttpAppDeps> = {}): Promise<TestApp> {
  const store = await openSqliteStore(":memory:");
  const events = new EventBus(() => {});
  const issue = async (tenant: string, role: "admin" | "operator" | "viewer"): Promise<string> => (await issueApiToken(store, { tenant, role })).token;
  const tokens: TestTokens = {
    admin: await issue("*", "admin"),
    operatorA: await issue("a", "operator"),
    viewerA: await issue("a", "viewer"),
    operatorB: await issue("b", "operator"),
    viewerB: await issue("b", "viewer"),
  };
  const app = await createHttpApp({ store, events, version: "test", dashboardDir: null, ...overrides });
  return {
    app,
    store,
    events,
    tokens,
    bearer: (token) => ({ authorization: `Bearer ${token}` }),
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
