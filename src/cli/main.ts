#!/usr/bin/env node
// The `taskrail` binary: parses argv, runs one command, exits with its code (docs/cli.md).
import { CommanderError } from "commander";
import { reportError } from "./cli-errors.js";
import { EXIT } from "./exit-codes.js";
import { createProgram } from "./program.js";

/** Resolves once everything written to stdout has been handed to the OS. */
function flushStdout(): Promise<void> {
  return new Promise((resolve) => process.stdout.write("", () => resolve()));
}

async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    // Commander already printed its message; --help and --version end here with code 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(err);
  }
}

// `taskrail list | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(EXIT.ok);
  throw err;
});

const code = await main(process.argv);
await flushStdout();
// Exit explicitly: a command is done once its action resolved, whatever timers or handles
// a dependency may still hold.
process.exit(code);
