// The typed event map (`noun:verb` names) and a bus whose throwing listeners cannot break the engine.
import type { SkipReason } from "./definition.js";
import type { StepStatus, TaskStatus } from "./status.js";

/** Every event taskrail emits in-process, with its payload. */
export interface TaskrailEvents {
  "task:dispatched": { taskId: string; tenant: string; type: string };
  "task:cancel-requested": { taskId: string; tenant: string; immediate: boolean };
  "task:retried": { taskId: string; tenant: string; fromStep: string };
  "task:progress": { taskId: string; tenant: string; progressPct: number; message: string | null };
  "task:ended": { taskId: string; tenant: string; status: TaskStatus; message: string | null };
  "step:started": { taskId: string; tenant: string; stepIndex: number; step: string; attempt: number; nodeId: string };
  "step:succeeded": { taskId: string; tenant: string; stepIndex: number; step: string; attempt: number; durationMs: number };
  "step:failed": {
    taskId: string;
    tenant: string;
    stepIndex: number;
    step: string;
    attempt: number;
    status: Extract<StepStatus, "failed" | "timeout">;
    message: string;
    willRetry: boolean;
    retryAt: Date | null;
  };
  "step:skipped": { taskId: string; tenant: string; stepIndex: number; step: string; message: string | null };
  "step:cancelled": { taskId: string; tenant: string; stepIndex: number; step: string };
  "callback:succeeded": { taskId: string; tenant: string; attempt: number };
  "callback:failed": { taskId: string; tenant: string; attempt: number; message: string; final: boolean };
  "lease:lost": { taskId: string; nodeId: string };
  "lease:recovered": { taskId: string; stepIndex: number; nodeId: string | null; taskStatus: TaskStatus };
  "write:refused": { taskId: string; nodeId: string; write: string };
  "worker:error": { nodeId: string; where: string; error: unknown };
  "scheduler:leader-acquired": { holderId: string; nodeName: string; term: number };
  "scheduler:leader-lost": { holderId: string; nodeName: string; reason: "lease-moved" | "lease-expired" | "stopped" };
  "scheduler:fired": { definitionId: string; tenant: string; name: string; taskId: string; scheduledAt: Date; lagMs: number };
  "scheduler:skipped": { definitionId: string; tenant: string; name: string; reason: SkipReason; scheduledAt: Date; count: number };
  "scheduler:error": { holderId: string; where: string; definitionId: string | null; error: unknown };
}

/** An event name. */
export type TaskrailEventName = keyof TaskrailEvents;
/** A listener of event `E`. */
export type TaskrailListener<E extends TaskrailEventName> = (payload: TaskrailEvents[E]) => void;

/** A typed, synchronous event bus; listener errors are reported to `onListenerError`, never thrown. */
export class EventBus {
  private readonly listeners = new Map<TaskrailEventName, Set<(payload: never) => void>>();
  private readonly onListenerError: (event: string, err: unknown) => void;

  constructor(onListenerError?: (event: string, err: unknown) => void) {
    this.onListenerError = onListenerError ?? (() => {});
  }

  /** Subscribes; returns the function that unsubscribes. */
  on<E extends TaskrailEventName>(event: E, listener: TaskrailListener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => this.off(event, listener);
  }

  /** Unsubscribes. */
  off<E extends TaskrailEventName>(event: E, listener: TaskrailListener<E>): void {
    this.listeners.get(event)?.delete(listener as (payload: never) => void);
  }

  /** True when anyone listens to `event` (lets hot paths skip building payloads). */
  has(event: TaskrailEventName): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  /** Calls every listener of `event`; a throwing listener is reported and the rest still run. */
  emit<E extends TaskrailEventName>(event: E, payload: TaskrailEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as TaskrailListener<E>)(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }
}
