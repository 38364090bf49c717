// An HTTP app on a fresh SQLite store with tokens for two tenants, for in-process API tests.
import type { FastifyInstance } from "fastify";
import type { EventBus } from "../../src/core/events.js";
import { issueApiToken } from "../../src/client/api-tokens.js";
import { createHttpApp, type HttpAppDeps } from "../../src/http/create-http-app.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { createTaskrail, type Taskrail } from "../../src/runtime/taskrail.js";
import { schedulerControlOf } from "../../src/runtime/server.js";

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
  /** Owns the scheduler the API starts and stops (never started unless a test asks). */
  taskrail: Taskrail;
  tokens: TestTokens;
  /** `{ authorization: "Bearer …" }` for a token secret. */
  bearer(token: string): { authorization: string };
  close(): Promise<void>;
}

/** Builds an app on an in-memory SQLite store with the tokens of TestTokens. */
export async function openTestApp(overrides: Partial<HttpAppDeps> = {}): Promise<TestApp> {
  const store = await openSqliteStore(":memory:");
  const taskrail = await createTaskrail({ db: store, tenant: null });
  const events = taskrail.events;
  const issue = async (tenant: string, role: "admin" | "operator" | "viewer"): Promise<string> => (await issueApiToken(store, { tenant, role })).token;
  const tokens: TestTokens = {
    admin: await issue("*", "admin"),
    operatorA: await issue("a", "operator"),
    viewerA: await issue("a", "viewer"),
    operatorB: await issue("b", "operator"),
    viewerB: await issue("b", "viewer"),
  };
  const app = await createHttpApp({ store, events, version: "test", dashboardDir: null, scheduler: schedulerControlOf(taskrail, {}), ...overrides });
  return {
    app,
    store,
    events,
    taskrail,
    tokens,
    bearer: (token) => ({ authorization: `Bearer ${token}` }),
    close: async () => {
      await app.close();
      await taskrail.close();
      await store.close();
    },
  };
}
