// Lists a backend's numbered `NNNN_name.sql` migration files in order (shared by every adapter).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One migration file: its number, its name (file name without `.sql`) and its SQL text. */
export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_FILE_RE = /^(\d{4})_([a-z0-9_\-]+)\.sql$/i;

/**
 * Reads every `NNNN_name.sql` file of `dirUrl` (a directory URL, e.g.
 * `new URL("./migrations/", import.meta.url)`) sorted by version. Other files are ignored;
 * two files with the same number are an error, since either order would be a guess.
 */
export function listMigrationFiles(dirUrl: URL): MigrationFile[] {
  // A directory URL without the trailing slash would resolve file names against its parent.
  const base = dirUrl.href.endsWith("/") ? dirUrl : new URL(`${dirUrl.href}/`);
  const dir = fileURLToPath(base);
  const files: MigrationFile[] = [];
  for (const fileName of readdirSync(dir)) {
    const match = MIGRATION_FILE_RE.exec(fileName);
    if (!match) continue;
    files.push({
      version: Number(match[1]),
      name: fileName.slice(0, -".sql".length),
      sql: readFileSync(new URL(fileName, base), "utf8"),
    });
  }
  files.sort((a, b) => a.version - b.version);
  for (let i = 1; i < files.length; i++) {
    if (files[i].version === files[i - 1].version) {
      throw new Error(`two migrations share number ${files[i].version}: ${files[i - 1].name}, ${files[i].name}`);
    }
  }
  return files;
}
