// Runs every test file under test/ (unit, contract, integration, …) with node's test runner.
// Node 20's runner has no glob for .ts files, so we list them here; tsx compiles on the fly.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
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
// Files under test/serial/ disturb shared services (they restart PostgreSQL): they run after
// the rest, one at a time.
const isSerial = (f) => f.split(/[\\/]/).includes("serial");
const phases = [
  { files: files.filter((f) => !isSerial(f)), concurrency: 2 },
  { files: files.filter(isSerial), concurrency: 1 },
];
// Each phase also writes TAP to a file, so one summary of every phase closes the run.
const tapDir = mkdtempSync(join(tmpdir(), "taskrail-tap-"));
const totals = { pass: 0, fail: 0, skipped: 0 };
let status = 0;
phases.forEach((phase, i) => {
  if (phase.files.length === 0) return;
  const tap = join(tapDir, `phase-${i}.tap`);
  const result = spawnSync(
    process.execPath,
    [
      "--import", "tsx", "--test", `--test-concurrency=${phase.concurrency}`,
      "--test-reporter=spec", "--test-reporter-destination=stdout",
      "--test-reporter=tap", `--test-reporter-destination=${tap}`,
      ...phase.files,
    ],
    { stdio: "inherit", env: process.env },
  );
  if ((result.status ?? 1) !== 0) status = result.status ?? 1;
  const text = readFileSync(tap, "utf8");
  for (const key of Object.keys(totals)) {
    const m = new RegExp(`^# ${key} (\\d+)$`, "m").exec(text);
    if (m) totals[key] += Number(m[1]);
  }
});
rmSync(tapDir, { recursive: true, force: true });
console.log(`\n${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(status);
