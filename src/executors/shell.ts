// The `shell` built-in executor: runs an allow-listed program from an argv array (never a shell
// string), streams its output into the task log and stops its whole process group on abort.
import { spawn } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { NonRetryableError, TaskrailError, ValidationError, errorMessage } from "../core/errors.js";
import type { JsonObject } from "../core/json.js";
import type { Executor, StepContext } from "../core/step-context.js";
import { durationSchema } from "../core/validation/task-spec.js";
import { fieldErrorsFromZod, parseOrThrow } from "../core/validation/zod-errors.js";

/** Options of the `shell` executor (the `shell` key of the runtime's executor options). */
export interface ShellExecutorOptions {
  /**
   * Programs a step may run, matched exactly against `command[0]`. A bare name (`"echo"`)
   * admits only the bare `command[0]` `"echo"`, found on the worker's own PATH; an absolute
   * path (`"/usr/bin/git"`) admits only that exact path. Empty refuses every command.
   * @default []
   */
  allow?: string[];
  /** After SIGTERM to the command's process group, how long before SIGKILL. @default 5000 */
  killGraceMs?: number;
  /** Bytes of the end of stdout (and, separately, of stderr) kept for the step output. @default 65536 */
  maxOutputBytes?: number;
  /** Output lines written to the task log per run; later lines only reach the output tail. @default 1000 */
  maxLogLines?: number;
}

/** What the `shell` executor returns when the command exits 0. */
export interface ShellOutput {
  exitCode: number;
  /** The last `maxOutputBytes` of stdout (cut at a character boundary). */
  stdout: string;
  /** The last `maxOutputBytes` of stderr. */
  stderr: string;
}

/** `command[0]` is not on the configured allow-list: never retried, nothing was run. */
export class ShellNotAllowedError extends NonRetryableError {
  // Narrows NonRetryableError's code; `instanceof NonRetryableError` still holds, so the
  // worker skips remaining tries exactly as for any non-retryable failure.
  override readonly code = "SHELL_NOT_ALLOWED" as const;
  constructor(readonly command: string) {
    super(`shell: ${JSON.stringify(command)} is not on the allow-list (configure shell.allow)`);
  }
}

/** Longest delay one Node timer can hold. */
const MAX_TIMER_MS = 2_147_483_647;
/** Longest line written to the task log; the rest of a longer line is dropped (the tail keeps it). */
const MAX_LOG_LINE_CHARS = 8192;
/** Stderr lines quoted in the message of a failed command. */
const STDERR_LINES_IN_MESSAGE = 5;
/** Once the group got SIGKILL, how long to wait for its pipes before giving up on them. */
const PIPE_DRAIN_MS = 1000;

const DEFAULTS = { killGraceMs: 5000, maxOutputBytes: 64 * 1024, maxLogLines: 1000 } as const;

const noNul = (s: string) => !s.includes("\0");
const NUL_MESSAGE = "must not contain NUL characters";

const optionsSchema = z.strictObject({
  allow: z
    .array(
      z
        .string()
        .min(1, "must not be empty")
        .refine(noNul, NUL_MESSAGE)
        // A relative path would resolve against the step's `cwd`, which the task chooses.
        .refine((e) => !e.includes("/") || isAbsolute(e), "must be a bare command name or an absolute path"),
    )
    .optional(),
  killGraceMs: z.number().int("must be an integer").min(0, "must be >= 0").max(MAX_TIMER_MS).optional(),
  maxOutputBytes: z.number().int("must be an integer").min(0, "must be >= 0").optional(),
  maxLogLines: z.number().int("must be an integer").min(0, "must be >= 0").optional(),
});

type ResolvedShellOptions = Readonly<Required<Omit<ShellExecutorOptions, "allow">>> & { readonly allow: readonly string[] };

const ARGV_MESSAGE = "must be a non-empty array of strings";

// Not strict: ctx.params is the task's params overlaid with the step's, so other keys are normal.
const paramsSchema = z.object({
  command: z
    .array(z.string({ error: "must be a string" }).refine(noNul, NUL_MESSAGE), { error: ARGV_MESSAGE })
    .min(1, ARGV_MESSAGE)
    .refine((argv) => argv[0] !== "", { message: "must not be empty", path: [0] }),
  cwd: z.string({ error: "must be a string" }).min(1, "must not be empty").refine(noNul, NUL_MESSAGE).optional(),
  env: z
    .record(z.string(), z.string({ error: "must be a string" }).refine(noNul, NUL_MESSAGE), {
      error: "must be an object of string values",
    })
    .superRefine((env, issues) => {
      for (const key of Object.keys(env)) {
        if (key === "" || key.includes("=") || key.includes("\0")) {
          issues.addIssue({ code: "custom", path: [key], message: "is not a valid environment variable name" });
        } else if (/^(LD_|DYLD_)/.test(key)) {
          // The dynamic loader would run code of the task's choosing inside any allowed program.
          issues.addIssue({ code: "custom", path: [key], message: "is refused: loader variables may only come from the worker's own environment" });
        }
      }
    })
    .optional(),
  timeout: durationSchema.refine((ms) => ms > 0 && ms <= MAX_TIMER_MS, `must be > 0 and at most ${MAX_TIMER_MS} ms`).optional(),
});

type ShellParams = z.output<typeof paramsSchema>;

/**
 * Builds the `shell` executor. Params: `{ command: [argv...], cwd?, env?, timeout? }`.
 *
 * - `command[0]` must be on `options.allow` (exact match), else {@link ShellNotAllowedError};
 *   the program is spawned directly (`shell: false`), so arguments are never interpreted.
 * - A bare `command[0]` is looked up on the worker's PATH (absolute entries only), never on
 *   `env.PATH`, so a task cannot swap the allowed program for another of the same name.
 * - `env` is merged over the worker's `process.env` (task values win); `LD_*` / `DYLD_*` keys
 *   are refused. `cwd` must be an existing directory.
 * - Output is logged line by line (`info` for stdout, `warn` for stderr, field `stream`).
 * - On `ctx.signal` or `timeout`, the command's process group gets SIGTERM, then SIGKILL after
 *   `killGraceMs`; the executor rejects with the signal's reason or a `STEP_TIMEOUT` error.
 *   Processes a command leaves running in its group when it exits are stopped the same way.
 * - Exit 0 → {@link ShellOutput}; any other exit → a retryable `EXECUTOR_FAILED` error.
 *
 * Bad options throw a ValidationError (`shell.allow.0: …`); bad params a NonRetryableError.
 * Process groups are POSIX; on Windows only the direct child is signalled.
 */
export function createShellExecutor(options: ShellExecutorOptions = {}): Executor {
  const o = parseOrThrow(optionsSchema, options, "invalid shell executor options", "shell");
  const resolved: ResolvedShellOptions = Object.freeze({
    allow: Object.freeze([...(o.allow ?? [])]),
    killGraceMs: o.killGraceMs ?? DEFAULTS.killGraceMs,
    maxOutputBytes: o.maxOutputBytes ?? DEFAULTS.maxOutputBytes,
    maxLogLines: o.maxLogLines ?? DEFAULTS.maxLogLines,
  });
  return (ctx: StepContext) => runShell(ctx, resolved);
}

async function runShell(ctx: StepContext, options: ResolvedShellOptions): Promise<ShellOutput> {
  const params = parseParams(ctx.params);
  const command = params.command[0];
  // Entries are bare names or absolute paths (checked above), so exact equality is the whole
  // rule: "echo" admits "echo" only, never "/bin/echo" or "./echo"; "/bin/echo" admits itself.
  if (!options.allow.includes(command)) throw new ShellNotAllowedError(command);
  if (params.cwd !== undefined && !(await isDirectory(params.cwd))) {
    throw new NonRetryableError(`invalid shell params: cwd: ${JSON.stringify(params.cwd)} is not an existing directory`);
  }
  const program = await resolveProgram(command);
  if (program === undefined) throw new NonRetryableError(`shell: ${JSON.stringify(command)} was not found on the worker's PATH`);
  if (ctx.signal.aborted) throw ctx.signal.reason;
  return runProcess(ctx, options, params, program);
}

function parseParams(input: unknown): ShellParams {
  const parsed = paramsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = new ValidationError(fieldErrorsFromZod(parsed.error));
  throw new NonRetryableError(`invalid shell params: ${details.message}`, { cause: details });
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The absolute program path for `command`: itself when it has a slash, else the first hit on PATH. */
async function resolveProgram(command: string): Promise<string | undefined> {
  if (command.includes("/") || process.platform === "win32") return command;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    // Relative PATH entries ("", ".") would resolve against the task-chosen cwd.
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, fsConstants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not here (or not executable): keep looking, as execvp does.
    }
  }
  return undefined;
}

function runProcess(ctx: StepContext, options: ResolvedShellOptions, params: ShellParams, program: string): Promise<ShellOutput> {
  const [command, ...args] = params.command;
  const { signal } = ctx;
  return new Promise<ShellOutput>((resolve, reject) => {
    const child = spawn(program, args, {
      argv0: command,
      cwd: params.cwd,
      env: { ...process.env, ...params.env },
      shell: false,
      // Leader of its own process group, so one signal reaches everything the command started.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });

    let loggedLines = 0;
    const logLine = (stream: "stdout" | "stderr", line: string, truncated: boolean) => {
      if (loggedLines > options.maxLogLines) return;
      loggedLines += 1;
      if (loggedLines > options.maxLogLines) {
        ctx.log.warn(`shell: output beyond ${options.maxLogLines} lines is not logged; the step output keeps its tail`);
        return;
      }
      const fields: JsonObject = truncated ? { stream, truncated: true } : { stream };
      if (stream === "stdout") ctx.log.info(line, fields);
      else ctx.log.warn(line, fields);
    };
    const stdoutTail = new OutputTail(options.maxOutputBytes);
    const stderrTail = new OutputTail(options.maxOutputBytes);
    const stdoutLines = new LineSplitter(MAX_LOG_LINE_CHARS, (line, cut) => logLine("stdout", line, cut));
    const stderrLines = new LineSplitter(MAX_LOG_LINE_CHARS, (line, cut) => logLine("stderr", line, cut));
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutTail.push(chunk);
      stdoutLines.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderrTail.push(chunk);
      stderrLines.push(chunk);
    });

    let stopReason: { error: unknown } | undefined;
    let stopping = false;
    let settled = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };

    const signalGroup = (sig: NodeJS.Signals | 0): boolean => {
      if (child.pid === undefined || settled) return false;
      try {
        if (process.platform === "win32") return sig === 0 ? child.exitCode === null : child.kill(sig);
        process.kill(-child.pid, sig);
        return true;
      } catch {
        return false; // ESRCH: the group is gone.
      }
    };
    const stopGroup = () => {
      if (stopping) return;
      stopping = true;
      signalGroup("SIGTERM");
      later(options.killGraceMs, () => {
        signalGroup("SIGKILL");
        // A process that left the group (setsid) may still hold our pipes; stop waiting for it.
        later(PIPE_DRAIN_MS, () => {
          child.stdout.destroy();
          child.stderr.destroy();
        });
      });
    };
    const onAbort = () => {
      stopReason ??= { error: signal.reason };
      stopGroup();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    if (params.timeout !== undefined) {
      const timeoutMs = params.timeout;
      later(timeoutMs, () => {
        stopReason ??= { error: new TaskrailError("STEP_TIMEOUT", `shell: command timed out after ${timeoutMs}ms`) };
        stopGroup();
      });
    }

    child.on("error", (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) spawnError = err; // failed to start; "close" follows
    });
    child.on("exit", () => {
      // The leader is gone; anything still in its group was left behind: stop it too, so a
      // step's processes end with the step (and 'close' is not held up by their open pipes).
      if (!stopping && signalGroup(0)) {
        ctx.log.warn("shell: the command left processes running in its group; stopping them");
        stopGroup();
      }
    });
    child.on("close", (code: number | null, sig: NodeJS.Signals | null) => {
      signal.removeEventListener("abort", onAbort);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      settled = true;
      stdoutLines.end();
      stderrLines.end();
      if (spawnError) return reject(startError(command, spawnError));
      if (stopReason) return reject(stopReason.error);
      if (code === 0) return resolve({ exitCode: 0, stdout: stdoutTail.text(), stderr: stderrTail.text() });
      const how = code !== null ? `exited with code ${code}` : `was killed by signal ${sig ?? "unknown"}`;
      const lastLines = stderrTail.lastLines(STDERR_LINES_IN_MESSAGE);
      reject(new TaskrailError("EXECUTOR_FAILED", `shell: command ${how}${lastLines ? `; stderr: ${lastLines}` : ""}`));
    });
  });
}

/** Missing or non-executable programs never start on a retry either; other spawn errors may pass. */
function startError(command: string, err: NodeJS.ErrnoException): Error {
  const text = `shell: could not start ${JSON.stringify(command)}: ${err.code ?? errorMessage(err)}`;
  return err.code === "ENOENT" || err.code === "EACCES" ? new NonRetryableError(text, { cause: err }) : new TaskrailError("EXECUTOR_FAILED", text, { cause: err });
}

/** Splits a byte stream into text lines (UTF-8 safe across chunks), cutting very long ones. */
class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  /** Inside a line whose first `maxChars` were already emitted: drop until its newline. */
  private dropping = false;

  constructor(
    private readonly maxChars: number,
    private readonly emit: (line: string, truncated: boolean) => void,
  ) {}

  push(chunk: Buffer): void {
    this.consume(this.decoder.write(chunk));
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    this.consume(this.decoder.end());
    if (this.pending !== "" && !this.dropping) this.emitLine(this.pending);
    this.pending = "";
    this.dropping = false;
  }

  private consume(text: string): void {
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      if (this.dropping) this.dropping = false;
      else this.emitLine(this.pending + text.slice(start, nl));
      this.pending = "";
      start = nl + 1;
    }
    if (this.dropping) return;
    this.pending += text.slice(start);
    // Emit an endless line early so memory stays bounded by maxChars, not by the line.
    if (this.pending.length > this.maxChars) {
      this.emit(this.pending.slice(0, this.maxChars), true);
      this.pending = "";
      this.dropping = true;
    }
  }

  private emitLine(raw: string): void {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.length > this.maxChars) this.emit(line.slice(0, this.maxChars), true);
    else this.emit(line, false);
  }
}

/** Keeps the last `maxBytes` of a byte stream. */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Drop whole chunks only while the rest still covers maxBytes; text() trims the remainder.
    while (this.chunks.length > 0 && this.size - this.chunks[0].length >= this.maxBytes) {
      this.size -= this.chunks[0].length;
      this.chunks.shift();
      this.dropped = true;
    }
  }

  /** The kept bytes as text; a character cut in half at the start is left out. */
  text(): string {
    let buf = Buffer.concat(this.chunks);
    let start = 0;
    if (buf.length > this.maxBytes) start = buf.length - this.maxBytes;
    if (start > 0 || this.dropped) {
      while (start < buf.length && (buf[start] & 0xc0) === 0x80) start += 1; // UTF-8 continuation bytes
    }
    buf = buf.subarray(start);
    return buf.toString("utf8");
  }

  /** The last `count` non-empty lines joined with " | ", each cut to 200 characters. */
  lastLines(count: number): string {
    const lines = this.text()
      .split("\n")
      .map((l) => l.trimEnd())
      .filter((l) => l !== "");
    return lines
      .slice(-count)
      .map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l))
      .join(" | ");
  }
}
