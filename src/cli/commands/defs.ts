// `taskrail defs`: definitions (task templates with a schedule) — create/apply from files,
// list, show (with the next fire times), enable, disable, trigger, delete and history.
import { withParamsTimeline } from "../../core/params-timeline.js";
import type { Command } from "commander";
import { ValidationError, type FieldError } from "../../core/errors.js";
import { resolveDefinitionSpec, type DefinitionSpec } from "../../core/validation/definition-spec.js";
import { runAction, withTaskApi } from "../cli-context.js";
import { formatDefinitionsTable, formatDefinitionView } from "../definition-view.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseIntFlag } from "../flag-parsers.js";
import { formatStepCounter, formatTable, formatTime, printJson } from "../output.js";
import { readDefinitionFiles, type DefinitionSource } from "../read-definition-files.js";

interface FileFlags {
  file?: string;
  json?: boolean;
}

interface ListFlags {
  json?: boolean;
  limit?: string;
  cursor?: string;
}

const EXAMPLES = `
Examples:
  $ taskrail defs apply -f examples/nightly-report.def.yaml
  $ taskrail defs apply -f deploy/definitions/        (every .json/.yaml/.yml file of the folder)
  $ taskrail defs list
  $ taskrail defs show nightly-report
  $ taskrail defs trigger nightly-report
  $ taskrail defs history nightly-report --json
  $ taskrail defs disable nightly-report

A definition file: { name, description?, enabled?, tenant?, schedule?: { cron?, timezone?,
fixedRate?, fixedDelay?, once?, startAt?, misfire?, overlap? }, task: <task file> } with
exactly one of cron | fixedRate | fixedDelay | once. Apply is idempotent by name: an
unchanged file changes nothing, and a changed one keeps its planned fire time unless its
schedule changed. Definitions fire only while a scheduler runs (taskrail scheduler).`;

/**
 * Reads and validates every definition of `path` before anything is written: one bad file
 * (any field of it) fails the whole command, so a folder is applied whole or not at all.
 */
async function readValidDefinitions(path: string): Promise<DefinitionSource[]> {
  const sources = await readDefinitionFiles(path);
  const problems: FieldError[] = [];
  const names = new Map<string, string>();
  for (const source of sources) {
    try {
      const spec = resolveDefinitionSpec(source.value, { now: new Date() });
      const key = `${spec.tenant ?? ""}/${spec.name}`;
      const before = names.get(key);
      if (before !== undefined) problems.push({ path: `${source.origin}: name`, message: `"${spec.name}" is also defined in ${before}` });
      names.set(key, source.origin);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...err.fields.map((f) => ({ path: sources.length > 1 ? `${source.origin}: ${f.path}` : f.path, message: f.message })));
    }
  }
  if (problems.length > 0) throw new ValidationError(problems, sources.length > 1 ? `invalid definition files in ${path}` : `invalid definition file ${path}`);
  return sources;
}

function requireFile(flags: FileFlags): string {
  if (!flags.file) throw new ValidationError([{ path: "--file", message: "is required: a definition file (JSON or YAML), or a folder of them for apply" }], "invalid option");
  return flags.file;
}

/** Registers `defs` and its subcommands on the program. */
export function registerDefsCommand(program: Command): Command {
  const defs = program
    .command("defs")
    .summary("manage definitions: scheduled task templates")
    .description("Create, apply, list, show, enable, disable, trigger, delete definitions and list the tasks they made.")
    .addHelpText("after", EXAMPLES);

  defs
    .command("create")
    .summary("create a definition from a file (fails if the name exists)")
    .option("-f, --file <FILE>", "definition file (JSON or YAML)")
    .option("--json", "print the definition as JSON")
    .action((flags: FileFlags, cmd: Command) =>
      runAction(flags.json, async (): Promise<ExitCode> => {
        const [source, ...more] = await readValidDefinitions(requireFile(flags));
        if (more.length > 0) throw new ValidationError([{ path: "--file", message: "create takes one definition; use apply for a folder or several documents" }], "invalid option");
        return withTaskApi(cmd, async (api) => {
          const def = await api.createDefinition(source.value as DefinitionSpec);
          if (flags.json) printJson(def);
          else console.log(`created ${def.name}  next fire ${formatTime(def.nextFireAt)}`);
          return EXIT.ok;
        });
      }),
    );

  defs
    .command("apply")
    .summary("create or update definitions from a file or a folder (idempotent by name)")
    .option("-f, --file <FILE|DIR>", "definition file (JSON or YAML), or a folder of them")
    .option("--json", "print [{ name, action, definition }] as JSON")
    .action((flags: FileFlags, cmd: Command) =>
      runAction(flags.json, async (): Promise<ExitCode> => {
        const sources = await readValidDefinitions(requireFile(flags));
        return withTaskApi(cmd, async (api) => {
          const results = [];
          for (const source of sources) {
            const r = await api.applyDefinition(source.value as DefinitionSpec);
            results.push({ name: r.definition.name, action: r.action, definition: r.definition });
            if (!flags.json) console.log(`${r.action.padEnd(9)} ${r.definition.name}  next fire ${r.definition.enabled ? formatTime(r.definition.nextFireAt) : "- (disabled)"}`);
          }
          if (flags.json) printJson(results);
          return EXIT.ok;
        });
      }),
    );

  defs
    .command("list")
    .summary("list definitions")
    .option("--limit <N>", "definitions per page, 1-1000 (default 100)")
    .option("--cursor <CURSOR>", "the nextCursor of the previous page")
    .option("--json", "print { items, total, nextCursor } as JSON")
    .action((flags: ListFlags, cmd: Command) =>
      runAction(flags.json, () =>
        withTaskApi(cmd, async (api): Promise<ExitCode> => {
          const page = await api.listDefinitions({ limit: flags.limit !== undefined ? parseIntFlag("--limit", flags.limit, 1, 1000) : 100, cursor: flags.cursor });
          if (flags.json) printJson(page);
          else if (page.items.length === 0) console.log("no definitions");
          else {
            console.log(formatDefinitionsTable(page.items));
            if (page.nextCursor) console.log(`${page.items.length} of ${page.total}; next page: --cursor ${page.nextCursor}`);
          }
          return EXIT.ok;
        }),
      ),
    );

  defs
    .command("show")
    .summary("show a definition, its next five fire times and recent skipped fires")
    .argument("<name>", "definition name")
    .option("--json", "print the definition (with nextFireTimes) as JSON")
    .action((name: string, flags: { json?: boolean }, cmd: Command) =>
      runAction(flags.json, () =>
        withTaskApi(cmd, async (api): Promise<ExitCode> => {
          const def = await api.getDefinition(name);
          if (flags.json) printJson(def);
          else console.log(formatDefinitionView(def));
          return EXIT.ok;
        }),
      ),
    );

  for (const [verb, summary] of [
    ["enable", "enable a definition (missed fires follow its misfire policy)"],
    ["disable", "disable a definition: it does not fire until enabled"],
  ] as const) {
    defs
      .command(verb)
      .summary(summary)
      .argument("<name>", "definition name")
      .option("--json", "print the definition as JSON")
      .action((name: string, flags: { json?: boolean }, cmd: Command) =>
        runAction(flags.json, () =>
          withTaskApi(cmd, async (api): Promise<ExitCode> => {
            const def = verb === "enable" ? await api.enableDefinition(name) : await api.disableDefinition(name);
            if (flags.json) printJson(def);
            else console.log(`${verb}d ${def.name}`);
            return EXIT.ok;
          }),
        ),
      );
  }

  defs
    .command("trigger")
    .summary("create one task from a definition now")
    .argument("<name>", "definition name")
    .option("--json", "print the task as JSON")
    .action((name: string, flags: { json?: boolean }, cmd: Command) =>
      runAction(flags.json, () =>
        withTaskApi(cmd, async (api): Promise<ExitCode> => {
          const task = await api.triggerDefinition(name);
          if (flags.json) printJson(withParamsTimeline(task));
          else console.log(task.id);
          return EXIT.ok;
        }),
      ),
    );

  defs
    .command("delete")
    .summary("delete a definition (the tasks it made stay)")
    .argument("<name>", "definition name")
    .action((name: string, _flags: unknown, cmd: Command) =>
      runAction(false, () =>
        withTaskApi(cmd, async (api): Promise<ExitCode> => {
          await api.deleteDefinition(name);
          console.log(`deleted ${name}`);
          return EXIT.ok;
        }),
      ),
    );

  defs
    .command("history")
    .summary("list the tasks a definition made, newest first")
    .argument("<name>", "definition name")
    .option("--limit <N>", "tasks per page, 1-1000 (default 50)")
    .option("--cursor <CURSOR>", "the nextCursor of the previous page")
    .option("--json", "print { items, total, nextCursor } as JSON")
    .action((name: string, flags: ListFlags, cmd: Command) =>
      runAction(flags.json, () =>
        withTaskApi(cmd, async (api): Promise<ExitCode> => {
          const page = await api.definitionHistory(name, { limit: flags.limit !== undefined ? parseIntFlag("--limit", flags.limit, 1, 1000) : 50, cursor: flags.cursor });
          if (flags.json) printJson({ ...page, items: page.items.map((t) => withParamsTimeline(t)) });
          else if (page.items.length === 0) console.log(`no tasks made by ${name} yet`);
          else {
            const rows = page.items.map((t) => [t.id, t.status, formatStepCounter(t), formatTime(t.scheduledAt), formatTime(t.createdAt), t.creator ?? "-"]);
            console.log(formatTable(["ID", "STATUS", "STEP", "SCHEDULED", "CREATED", "BY"], rows));
            console.log(page.nextCursor ? `${page.items.length} of ${page.total}; next page: --cursor ${page.nextCursor}` : `${page.items.length} of ${page.total}`);
          }
          return EXIT.ok;
        }),
      ),
    );
  return defs;
}
