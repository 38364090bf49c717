// A fresh SQLite database file per test, removed afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A `sqlite:` URL in a new temp folder, and the function that removes the folder. */
export function tempSqliteUrl(prefix = "taskrail-test-"): { url: string; path: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, "taskrail.db");
  return { url: `sqlite:${path}`, path, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
