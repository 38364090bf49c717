// `taskrail migrate`: applies pending schema migrations to the store and exits.
import type { Command } from "commander";
import { runAction, withTaskrail } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { printJson } from "../output.js";

/** Options of `migrate`. */
export interface MigrateFlags {
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail migrate --db postgres://app@db:5432/app
  $ TASKRAIL_DATABASE_URL=sqlite:./data/taskrail.db taskrail migrate

Every taskrail process applies pending migrations when it opens the store (on PostgreSQL under
an advisory lock, so many processes starting at once migrate exactly once); run this to
migrate ahead of a rollout.`;

async function migrateAction(flags: MigrateFlags, cmd: Command): Promise<ExitCode> {
  // Opening the store applies every pending migration; nothing else to do.
  return withTaskrail(cmd, async (tr) => {
    if (flags.json) printJson({ ok: true, store: tr.store.kind });
    else console.log(`${tr.store.kind} store is up to date`);
    return EXIT.ok;
  });
}

/** Registers `migrate` on the program. */
export function registerMigrateCommand(program: Command): Command {
  return program
    .command("migrate")
    .summary("apply pending schema migrations")
    .description("Open the store named by --db (or TASKRAIL_DATABASE_URL), apply pending migrations, and exit.")
    .option("--json", "print the outcome as JSON")
    .addHelpText("after", EXAMPLES)
    .action((flags: MigrateFlags, cmd: Command) => runAction(flags.json, () => migrateAction(flags, cmd)));
}
