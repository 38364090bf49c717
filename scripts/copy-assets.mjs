// Copies non-TypeScript assets (SQL migrations) next to the compiled code in dist/.
import { cpSync, existsSync, mkdirSync } from "node:fs";

for (const backend of ["sqlite", "postgres"]) {
  const from = `src/store/${backend}/migrations`;
  const to = `dist/store/${backend}/migrations`;
  if (!existsSync(from)) continue;
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
}
