// Opens the Store a URL names: `sqlite:PATH` (the embedded default) or `postgres://…`.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { TaskrailError } from "../core/errors.js";
import type { Store } from "./store.js";

/** The store used when neither a URL nor `TASKRAIL_DATABASE_URL` is given. */
export const DEFAULT_STORE_URL = "sqlite:./taskrail.db";

/** Options of `openStore`, passed on to the backend. */
export interface OpenStoreOptions {
  /**
   * SQLite: open the file read-only (no migrations; the schema must be current). PostgreSQL
   * ignores it: the URL's role decides what may be written.
   * @default false
   */
  readonly?: boolean;
}

/** A parsed store URL. */
export type StoreUrl =
  | { kind: "sqlite"; /** A file path as written (relative to the working directory), or `:memory:`. */ path: string }
  | { kind: "postgres"; url: string };

/**
 * Parses a store URL (DESIGN.md §8): `sqlite:PATH` with a relative or absolute path (also
 * `sqlite://PATH`, `sqlite:///abs/path`), `sqlite::memory:`, `postgres://…`, `postgresql://…`.
 * Throws TaskrailError `STORE_URL_INVALID` naming what is wrong.
 */
export function parseStoreUrl(url: string): StoreUrl {
  const text = typeof url === "string" ? url.trim() : "";
  if (text === "") throw invalid(String(url), "it is empty; expected sqlite:PATH or postgres://…");
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw invalid(text, 'it has no scheme; expected "sqlite:PATH" (e.g. sqlite:./taskrail.db) or "postgres://user@host/db"');
  }
  if (scheme === "sqlite") {
    let path = text.slice("sqlite:".length);
    // sqlite://relative or sqlite:///absolute, as other tools write it.
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw invalid(text, "the sqlite URL has no path; write sqlite:./taskrail.db or sqlite::memory:");
    return { kind: "sqlite", path };
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    if (!/^postgres(ql)?:\/\/./i.test(text)) throw invalid(text, `a ${scheme} URL must look like ${scheme}://user:password@host:5432/database`);
    return { kind: "postgres", url: text };
  }
  throw invalid(text, `unsupported scheme "${scheme}:"; expected sqlite:, postgres: or postgresql:`);
}

function invalid(url: string, problem: string): TaskrailError {
  return new TaskrailError("STORE_URL_INVALID", `invalid store URL "${redact(url)}": ${problem}`);
}

/** Hides a password in a URL so it never reaches an error message or log. */
function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):[^@/]*@/i, "$1:***@");
}

/**
 * Opens the store `url` names; default `TASKRAIL_DATABASE_URL`, else `sqlite:./taskrail.db`.
 * For SQLite the file's directory is created when missing. The PostgreSQL adapter is loaded
 * only when asked for, so SQLite users never load a PostgreSQL driver.
 */
export async function openStore(url?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const resolved = url ?? (process.env.TASKRAIL_DATABASE_URL || DEFAULT_STORE_URL);
  const parsed = parseStoreUrl(resolved);
  if (parsed.kind === "postgres") {
    // `readonly` is SQLite's; PostgreSQL access rights come from the URL's role.
    const { openPostgresStore } = await import("./postgres/postgres-store.js");
    return openPostgresStore(parsed.url);
  }
  const { openSqliteStore } = await import("./sqlite/sqlite-store.js");
  if (parsed.path !== ":memory:" && !options.readonly) mkdirSync(dirname(resolve(parsed.path)), { recursive: true });
  return openSqliteStore(parsed.path, options);
}
