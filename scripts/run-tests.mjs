// Runs every test file under test/ (unit, contract, integration, …) with node's test runner.
// Node 20's runner has no glob for .ts files, so we list them here; tsx compiles on the fly.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

// `npm test -- test/unit` narrows the run to the given files or folders.
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["test"];
const files = roots.flatMap((r) => (statSync(r).isDirectory() ? findTests(r) : [r])).sort();
if (files.length === 0) {
  console.error("no test files found under", roots.join(", "));
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { stdio: "inherit", env: process.env },
);
process.exit(result.status ?? 1);
