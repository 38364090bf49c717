// `taskrail start-demo`: a worker alone (no server; `npm start` runs `serve`) with the bundled example executors,
// after printing how to dispatch the examples from a second terminal.
import type { Command } from "commander";
import { globalOptions, runAction } from "../cli-context.js";
import { packageRoot } from "../../runtime/package-info.js";
import { runCliWorker, shellAllowList } from "../run-worker.js";

const EXAMPLES = `
Examples:
  $ taskrail start-demo
  $ taskrail start-demo --db sqlite:/tmp/demo.db`;

function banner(db: string | undefined): string {
  const dbFlag = db ? ` --db ${db}` : "";
  return [
    "taskrail demo: a worker with the example executors (examples/executors.js).",
    "In a second terminal, from the project folder:",
    "",
    `  npx taskrail dispatch -f examples/hello.task.yaml --param a=10 --param b=20 --wait${dbFlag}`,
    `  npx taskrail dispatch -f examples/deploy.task.yaml --wait${dbFlag}`,
    `  npx taskrail list${dbFlag}`,
    `  npx taskrail show <id> --follow${dbFlag}`,
    "",
    "Stop the worker with Ctrl-C.",
    "",
  ].join("\n");
}

/** Registers `start-demo` on the program. */
export function registerStartDemoCommand(program: Command): Command {
  return program
    .command("start-demo")
    .summary("run a demo worker with the example executors")
    .description("Run a worker on the store (default sqlite:./taskrail.db) with the executors of the package's examples/executors.js, after printing how to dispatch the examples.")
    .addHelpText("after", EXAMPLES)
    .action((_flags: Record<string, never>, cmd: Command) =>
      runAction(false, async () => {
        const db = globalOptions(cmd).db ?? process.env.TASKRAIL_DATABASE_URL;
        console.log(banner(db));
        return runCliWorker(cmd, {
          executors: "examples/executors.js",
          baseDir: packageRoot(),
          shellAllow: shellAllowList([]),
          logLevel: "info",
        });
      }),
    );
}
