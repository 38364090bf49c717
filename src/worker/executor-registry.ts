// Named executors and callbacks a process offers; registered before its worker starts.
import { TaskrailError } from "../core/errors.js";
import type { Callback, Executor } from "../core/step-context.js";

const NAME_RE = /^[A-Za-z0-9_.:\-/]{1,200}$/;

/** The executors and callbacks of one process. */
export class ExecutorRegistry {
  private readonly executors = new Map<string, Executor>();
  private readonly callbacks = new Map<string, Callback>();

  /** Registers an executor; a second registration of the same name is refused (the seeds panicked). */
  registerExecutor(name: string, executor: Executor): this {
    checkName("executor", name, executor);
    if (this.executors.has(name)) throw new TaskrailError("CONFIG_INVALID", `executor "${name}" is already registered`);
    this.executors.set(name, executor);
    return this;
  }

  /** Registers a callback (called once per terminal transition of tasks that name it). */
  registerCallback(name: string, callback: Callback): this {
    checkName("callback", name, callback);
    if (this.callbacks.has(name)) throw new TaskrailError("CONFIG_INVALID", `callback "${name}" is already registered`);
    this.callbacks.set(name, callback);
    return this;
  }

  /** The executor of that name, or undefined. */
  executor(name: string): Executor | undefined {
    return this.executors.get(name);
  }

  /** The callback of that name, or undefined. */
  callback(name: string): Callback | undefined {
    return this.callbacks.get(name);
  }

  /** Names of every registered executor. */
  executorNames(): string[] {
    return [...this.executors.keys()];
  }

  /** Names of every registered callback. */
  callbackNames(): string[] {
    return [...this.callbacks.keys()];
  }
}

function checkName(kind: string, name: string, fn: unknown): void {
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw new TaskrailError("CONFIG_INVALID", `${kind} name ${JSON.stringify(name)} must be 1-200 letters, digits or _ . : - /`);
  }
  if (typeof fn !== "function") throw new TaskrailError("CONFIG_INVALID", `${kind} "${name}" must be a function, got ${typeof fn}`);
}
