// Runs the Store contract suite on SQLite: one temp database file per test, removed after.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { runStoreContract } from "./store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "taskrail-contract-sqlite-"));
let count = 0;
let latest: string | null = null;

runStoreContract("sqlite", {
  async open(): Promise<Store> {
    latest = join(dir, `store-${++count}.db`);
    return openSqliteStore(latest);
  },
  async openSecond(): Promise<Store> {
    if (latest === null) throw new Error("openSecond() before open()");
    return openSqliteStore(latest);
  },
  async cleanup(): Promise<void> {
    rmSync(dir, { recursive: true, force: true });
  },
});
