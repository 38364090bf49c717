// Two ways to build a task spec in code: a fluent builder, and the seeds' TaskBuilder shape
// (task info + steps + a finalize hook). Both produce a TaskSpec, validated at dispatch.
import type { Duration } from "../core/duration.js";
import type { JsonObject, JsonValue } from "../core/json.js";
import type { StepSpec, TaskSpec } from "../core/validation/task-spec.js";

/** Step options of the fluent builder (everything of a task-file step but name and executor). */
export type StepOptions = Omit<StepSpec, "name" | "executor">;

/**
 * Fluent task builder.
 * @example
 * const spec = task("deploy").index("release-42", "release").param("env", "prod")
 *   .step("build", "shell", { params: { command: ["make"] }, tries: 3 })
 *   .step("notify", "http", { params: { url: "https://…" } })
 *   .callback("audit");
 */
export class TaskBuilder {
  private readonly spec: TaskSpec;

  constructor(type: string) {
    this.spec = { type, steps: [] };
  }

  /** Display name. */
  name(name: string): this {
    this.spec.name = name;
    return this;
  }

  /** Business key for lookup and de-duplication. */
  index(index: string, indexType?: string): this {
    this.spec.index = index;
    if (indexType !== undefined) this.spec.indexType = indexType;
    return this;
  }

  /** Queue (default `default`); `node:<name>` pins the task to one node. */
  queue(queue: string): this {
    this.spec.queue = queue;
    return this;
  }

  /** Higher runs first. */
  priority(priority: number): this {
    this.spec.priority = priority;
    return this;
  }

  /** Not before this time. */
  runAt(when: Date | string | number): this {
    this.spec.runAt = when;
    return this;
  }

  /** Task timeout, counted from the first step start. */
  timeout(timeout: Duration): this {
    this.spec.timeout = timeout;
    return this;
  }

  /** Bound on waiting before the first step starts. */
  startTimeout(timeout: Duration): this {
    this.spec.startTimeout = timeout;
    return this;
  }

  /** Sets one shared param. */
  param(key: string, value: JsonValue): this {
    this.spec.params = { ...(this.spec.params ?? {}), [key]: value };
    return this;
  }

  /** Merges shared params. */
  params(params: JsonObject): this {
    this.spec.params = { ...(this.spec.params ?? {}), ...params };
    return this;
  }

  /** Task payload. */
  payload(payload: JsonValue): this {
    this.spec.payload = payload;
    return this;
  }

  /** Who created it. */
  creator(creator: string): this {
    this.spec.creator = creator;
    return this;
  }

  /** Adds a callback name (called once per terminal transition). */
  callback(name: string): this {
    this.spec.callbacks = [...(this.spec.callbacks ?? []), name];
    return this;
  }

  /** Appends a step. */
  step(name: string, executor: string, options: StepOptions = {}): this {
    this.spec.steps.push({ name, executor, ...options });
    return this;
  }

  /** The spec built so far (a copy). */
  toSpec(): TaskSpec {
    return structuredClone(this.spec);
  }
}

/** Starts a fluent builder for a task of `type`. */
export function task(type: string): TaskBuilder {
  return new TaskBuilder(type);
}

/** The task-info part of the seeds' builder. */
export type SeedTaskInfo = Omit<TaskSpec, "steps">;

/**
 * The seeds' TaskBuilder shape: `taskInfo()` gives type, name, index…; `steps()` the chain;
 * `finalizeTask(spec)` may set the common payload, params and callbacks before dispatch.
 */
export interface SeedTaskBuilder {
  taskInfo(): SeedTaskInfo;
  steps(): StepSpec[];
  finalizeTask?(spec: TaskSpec): TaskSpec | void;
}

/** True for an object of the seeds' builder shape. */
export function isSeedTaskBuilder(value: unknown): value is SeedTaskBuilder {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as SeedTaskBuilder).taskInfo === "function" &&
    typeof (value as SeedTaskBuilder).steps === "function"
  );
}

/** Builds the spec of a seeds'-shape builder. */
export function specFromSeedBuilder(builder: SeedTaskBuilder): TaskSpec {
  const spec: TaskSpec = { ...builder.taskInfo(), steps: [...builder.steps()] };
  const finalized = builder.finalizeTask?.(spec);
  return finalized ?? spec;
}
