// A worker process for crash tests: runs 3-step tasks whose executor appends every start and
// finish to a journal file, so the test can prove which steps ran and how often.
// Usage: node --import tsx test/support/worker-process.ts <dbUrl> <journal> <nodeName> [concurrency]
import { appendFileSync } from "node:fs";
import { createTaskrail } from "../../src/runtime/taskrail.js";
import type { StepContext } from "../../src/core/step-context.js";

const [dbUrl, journal, nodeName, concurrency = "16"] = process.argv.slice(2);

const tr = await createTaskrail({
  db: dbUrl,
  executors: {
    record: async (ctx: StepContext) => {
      appendFileSync(journal, `start ${ctx.task.id} ${ctx.step.name} ${ctx.attempt} ${process.pid}\n`);
      await new Promise((r) => setTimeout(r, 2 + Math.floor(Math.random() * 8)));
      ctx.setParam(`${ctx.step.name}By`, process.pid);
      appendFileSync(journal, `done ${ctx.task.id} ${ctx.step.name} ${ctx.attempt} ${process.pid}\n`);
      return { pid: process.pid };
    },
  },
});
tr.startWorker({ nodeName, concurrency: Number(concurrency), lease: 1500, heartbeat: 300, pollInterval: 50, sweepInterval: 200 });
process.stdout.write("ready\n");
const stop = async () => {
  await tr.close({ deadlineMs: 5000 });
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
