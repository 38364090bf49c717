// `taskrail nodes`, `migrate`, `worker --label` and the waiting reason of `show`, end to end.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { CLI, ROOT, runCli } from "../support/cli-runner.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";
import { until } from "../support/worker-processes.js";

const db = tempSqliteUrl("taskrail-cli-nodes-");
const env = { TASKRAIL_DATABASE_URL: db.url };
let worker: ChildProcess | null = null;
after(() => {
  worker?.kill("SIGKILL");
  db.cleanup();
});

interface NodeJson {
  name: string;
  state: string;
  queues: string[];
  labels: Record<string, string>;
  executors: string[];
  capacity: number;
}

async function nodes(): Promise<NodeJson[]> {
  const r = await runCli(["nodes", "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as NodeJson[];
}

test("a labelled worker registers as a node, serves its label queue, and is listed stopped after SIGTERM", { timeout: 120_000 }, async () => {
  const migrated = await runCli(["migrate"], { env });
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /sqlite store is up to date/);
  assert.deepEqual(await nodes(), []);

  worker = spawn(process.execPath, [CLI, "worker", "--node-name", "gpu-1", "--label", "gpu=a100", "--concurrency", "3", "--log-level", "warn"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise((resolve) => worker!.stdout!.once("data", resolve));
  await until(async () => (await nodes()).length === 1, 20_000, "the node to register");
  const [node] = await nodes();
  assert.equal(node.name, "gpu-1");
  assert.equal(node.state, "alive");
  assert.equal(node.capacity, 3);
  assert.deepEqual(node.labels, { gpu: "a100" });
  assert.ok(node.queues.includes("label:gpu=a100") && node.queues.includes("node:gpu-1") && node.queues.includes("default"));
  assert.ok(node.executors.includes("noop"));

  const onLabel = await runCli(["dispatch", "labelled", "--queue", "label:gpu=a100", "--step", "s=noop", "--wait", "--json"], { env });
  assert.equal(onLabel.code, 0, onLabel.stderr);

  const stuck = await runCli(["dispatch", "stuck", "--queue", "nowhere", "--step", "s=noop", "--json"], { env });
  const id = (JSON.parse(stuck.stdout) as { id: string }).id;
  const shown = await runCli(["show", id, "--json"], { env });
  assert.equal((JSON.parse(shown.stdout) as { waitingReason: string }).waitingReason, 'waiting: no live node serves queue "nowhere"');
  const human = await runCli(["show", id], { env });
  assert.match(human.stdout, /waiting: no live node serves queue "nowhere"/);
  const table = await runCli(["nodes"], { env });
  assert.match(table.stdout, /gpu-1\s+alive\s+0\/3/);

  worker.kill("SIGTERM");
  await new Promise((resolve) => worker!.once("exit", resolve));
  assert.equal((await nodes())[0].state, "stopped");
});

test("limits are set, listed and cleared from the CLI, and bad flags are named", async () => {
  const set = await runCli(["limits", "set", "--queue", "emails", "--max-running", "2", "--rate", "10/1s", "--json"], { env });
  assert.equal(set.code, 0, set.stderr);
  assert.deepEqual(JSON.parse(set.stdout), { scope: "queue", name: "emails", maxRunning: 2, rate: { count: 10, intervalMs: 1000 } });
  const list = await runCli(["limits"], { env });
  assert.match(list.stdout, /queue\s+emails\s+2\s+10\/1\.0s/);
  const badRate = await runCli(["limits", "set", "--queue", "emails", "--rate", "ten"], { env });
  assert.equal(badRate.code, 2);
  assert.match(badRate.stderr, /--rate: must look like N\/INTERVAL/);
  const typeRate = await runCli(["limits", "set", "--type", "t", "--rate", "5/1s"], { env });
  assert.equal(typeRate.code, 2);
  assert.match(typeRate.stderr, /rate: rate limits apply to queues only/);
  const cleared = await runCli(["limits", "clear", "--queue", "emails"], { env });
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.deepEqual(JSON.parse((await runCli(["limits", "--json"], { env })).stdout), []);
});
