// One firing pass of the leader: arm fixedDelay definitions whose task ended, read the due
// definitions, plan each (misfire and overlap policies), write the fires in batches (each fire
// a compare-and-set with its tasks), cancel what `replace` replaced, and report.
import type { Clock } from "../core/clock.js";
import type { Definition, DueDefinition, Schedule } from "../core/definition.js";
import { InvalidTransitionError, StoreUnavailableError, TaskNotFoundError, errorMessage } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { NewTask } from "../core/task.js";
import { newTaskId } from "../core/ids.js";
import { resolveDefinitionSpec, type ResolvedDefinitionSpec } from "../core/validation/definition-spec.js";
import { resolveTaskSpec } from "../core/validation/task-spec.js";
import type { DefinitionFire, DefinitionFireOutcome, Store } from "../store/store.js";
import { planFires } from "./fire-plan.js";
import type { ResolvedSchedulerOptions } from "./scheduler-options.js";

/** What a pass did. */
export interface FiringPassResult {
  /** Tasks created. */
  fired: number;
  /** Fire records skipped (overlap, misfire, duplicate). */
  skipped: number;
  /** Fires another writer got to first (nothing written for them). */
  moved: number;
  /** Largest (commit time − scheduled time) of the tasks created (negative when fired ahead), or null when none. */
  lagMs: number | null;
}

/** Most due definitions handled in one pass; the next tick picks up the rest at once. */
const MAX_PER_PASS = 20_000;

/**
 * The leader's firing logic. Keeps a cache of resolved definition specs keyed by
 * (id, updatedAt): fires bump a definition's version but never its spec.
 */
export class FiringPass {
  private readonly specs = new Map<string, { updatedAtMs: number; resolved: ResolvedDefinitionSpec; template: NewTask }>();

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ResolvedSchedulerOptions,
    private readonly holderId: string,
  ) {}

  /** Runs one pass; `stillLeading` is checked between batches. */
  async run(stillLeading: () => boolean): Promise<FiringPassResult> {
    const result: FiringPassResult = { fired: 0, skipped: 0, moved: 0, lagMs: null };
    await this.store.armFixedDelayDefinitions(new Date(this.clock.now()), 1000);
    let handled = 0;
    const readSize = this.options.batchSize * this.options.parallelBatches;
    while (handled < MAX_PER_PASS && stillLeading()) {
      const now = new Date(this.clock.now());
      const due = await this.store.listDueDefinitions(new Date(now.getTime() + this.options.fireAheadMs), readSize);
      if (due.length === 0) break;
      // Read up to the fire-ahead horizon; a definition that may not fire ahead waits for its time.
      const ready = due.filter((d) => d.definition.nextFireAt!.getTime() <= now.getTime() || this.firesAhead(d.definition));
      const chunks: DueDefinition[][] = [];
      for (let i = 0; i < ready.length; i += this.options.batchSize) chunks.push(ready.slice(i, i + this.options.batchSize));
      await Promise.all(chunks.map((chunk) => this.fireChunk(chunk, now, result)));
      handled += due.length;
      // A full read made only of definitions that must wait would come back unchanged: stop.
      // (So more than a read's worth of forbid/replace definitions due at one instant hold the
      // allow definitions after them in (nextFireAt, id) order back until that instant.)
      if (due.length < readSize || ready.length === 0) break;
    }
    return result;
  }

  /**
   * The definition's resolved spec and its task template, validated once per change of the
   * definition: each fire only stamps a new id and its times on the template (a full task
   * validation per fire would cost ~30 µs × every definition due at the same instant).
   */
  private resolved(def: Definition): { resolved: ResolvedDefinitionSpec; template: NewTask } | null {
    const cached = this.specs.get(def.id);
    if (cached && cached.updatedAtMs === def.updatedAt.getTime()) return cached;
    try {
      const now = new Date(this.clock.now());
      const resolved = resolveDefinitionSpec(def.spec, { now });
      const template = resolveTaskSpec(resolved.task, { tenant: def.tenant, now, definitionId: def.id, creator: resolved.task.creator ?? "scheduler" });
      const entry = { updatedAtMs: def.updatedAt.getTime(), resolved, template };
      if (this.specs.size > 50_000) this.specs.clear();
      this.specs.set(def.id, entry);
      return entry;
    } catch (err) {
      this.events.emit("scheduler:error", { holderId: this.holderId, where: "resolve-definition", definitionId: def.id, error: err });
      this.logger.error({ definitionId: def.id, name: def.name, err: errorMessage(err) }, "definition cannot be fired; its schedule stops until it is updated");
      return null;
    }
  }

  /**
   * Whether the definition's fire times may be made ahead (within `fireAhead`). Not with the
   * `forbid` or `replace` overlap policies: their check of the previous task (and `replace`'s
   * cancel of it) must happen at the fire time, not up to a window before it.
   */
  private firesAhead(def: Definition): boolean {
    if (this.options.fireAheadMs === 0) return false;
    const cached = this.resolved(def);
    // Unreadable: let fireOf stop its schedule now rather than report it every tick.
    if (cached === null) return true;
    return cached.resolved.schedule === null || cached.resolved.schedule.overlap === "allow";
  }

  /** The fire of one due definition at `now`, plus the task `replace` cancels. */
  private fireOf(due: DueDefinition, now: Date): { fire: DefinitionFire; cancelTaskId: string | null } {
    const def = due.definition;
    const guard = { definitionId: def.id, expectedVersion: def.version, expectedNextFireAt: def.nextFireAt };
    const cached = this.resolved(def);
    const schedule: Schedule | null = cached?.resolved.schedule ?? null;
    if (cached === null || schedule === null) {
      // Unreadable spec, or no schedule left: plan nothing more instead of failing every tick.
      return { fire: { ...guard, tasks: [], skips: [], nextFireAt: null }, cancelTaskId: null };
    }
    const plan = planFires({
      schedule,
      nextFireAt: def.nextFireAt!,
      anchor: def.createdAt,
      lastTaskId: def.lastTaskId,
      lastTaskStatus: due.lastTaskStatus,
      now,
      horizon: this.firesAhead(def) ? new Date(now.getTime() + this.options.fireAheadMs) : now,
      misfireGraceMs: this.options.misfireGraceMs,
    });
    // A fire time still ahead (fire-ahead window) is not run before it comes.
    const tasks: NewTask[] = plan.fireTimes.map((scheduledAt) => {
      const earlyMs = Math.max(0, scheduledAt.getTime() - now.getTime());
      const { startTimeoutMs } = cached.template;
      return {
        ...cached.template,
        id: newTaskId(),
        runAt: earlyMs > 0 ? scheduledAt : now,
        createdAt: now,
        scheduledAt,
        // startTimeout counts from creation: a task made ahead gets the time it waits for its
        // fire time on top, so it still has the whole startTimeout from that time.
        startTimeoutMs: startTimeoutMs === null || earlyMs === 0 ? startTimeoutMs : startTimeoutMs + earlyMs,
      };
    });
    return { fire: { ...guard, tasks, skips: plan.skips, nextFireAt: plan.nextFireAt }, cancelTaskId: plan.cancelTaskId };
  }

  private async fireChunk(chunk: DueDefinition[], now: Date, result: FiringPassResult): Promise<void> {
    const planned = chunk.map((due) => ({ due, ...this.safeFireOf(due, now) }));
    const outcomes = await this.writeFires(planned.map((p) => p.fire), now);
    const committedMs = this.clock.now();
    await Promise.all(
      outcomes.map(async (outcome, i) => {
        const { due, fire, cancelTaskId } = planned[i];
        const def = due.definition;
        if (!outcome.fired) {
          result.moved++;
          return;
        }
        for (const task of outcome.tasks) {
          const lagMs = committedMs - task.scheduledAt!.getTime();
          result.fired++;
          result.lagMs = Math.max(result.lagMs ?? 0, lagMs);
          this.events.emit("task:dispatched", { taskId: task.id, tenant: task.tenant, type: task.type });
          this.events.emit("scheduler:fired", { definitionId: def.id, tenant: def.tenant, name: def.name, taskId: task.id, scheduledAt: task.scheduledAt!, lagMs });
        }
        for (const skip of fire.skips) {
          result.skipped++;
          this.events.emit("scheduler:skipped", { definitionId: def.id, tenant: def.tenant, name: def.name, reason: skip.reason, scheduledAt: skip.scheduledAt, count: skip.count });
        }
        // replace: the new task exists (this fire won), now stop the one it replaces.
        if (cancelTaskId !== null && outcome.tasks.length > 0) await this.cancelReplaced(def, cancelTaskId, now);
      }),
    );
  }

  /**
   * Writes a batch of fires. If the batch fails for a reason other than the store being
   * unreachable, each fire is written alone, so one definition whose fire the store refuses
   * cannot hold back the others (it is reported and retried on the next tick).
   */
  private async writeFires(fires: DefinitionFire[], now: Date): Promise<DefinitionFireOutcome[]> {
    try {
      return await this.store.fireDefinitions(fires, now);
    } catch (err) {
      if (err instanceof StoreUnavailableError || fires.length === 1) throw err;
      return Promise.all(
        fires.map(async (fire): Promise<DefinitionFireOutcome> => {
          try {
            return (await this.store.fireDefinitions([fire], now))[0];
          } catch (one) {
            if (one instanceof StoreUnavailableError) throw one;
            this.events.emit("scheduler:error", { holderId: this.holderId, where: "fire", definitionId: fire.definitionId, error: one });
            this.logger.error({ definitionId: fire.definitionId, err: errorMessage(one) }, "fire refused by the store; retried next tick");
            return { fired: false, reason: "moved" };
          }
        }),
      );
    }
  }

  private safeFireOf(due: DueDefinition, now: Date): { fire: DefinitionFire; cancelTaskId: string | null } {
    try {
      return this.fireOf(due, now);
    } catch (err) {
      // A template that no longer resolves (e.g. the task schema tightened): stop its schedule.
      this.events.emit("scheduler:error", { holderId: this.holderId, where: "plan-fire", definitionId: due.definition.id, error: err });
      const def = due.definition;
      return { fire: { definitionId: def.id, expectedVersion: def.version, expectedNextFireAt: def.nextFireAt, tasks: [], skips: [], nextFireAt: null }, cancelTaskId: null };
    }
  }

  private async cancelReplaced(def: Definition, taskId: string, now: Date): Promise<void> {
    try {
      const { task, immediate } = await this.store.requestCancel(taskId, def.tenant, now);
      this.events.emit("task:cancel-requested", { taskId, tenant: task.tenant, immediate });
      if (immediate) this.events.emit("task:ended", { taskId, tenant: task.tenant, status: "cancelled", message: task.message });
    } catch (err) {
      // It ended (or was deleted) in the meantime: nothing left to replace.
      if (err instanceof InvalidTransitionError || err instanceof TaskNotFoundError) return;
      this.events.emit("scheduler:error", { holderId: this.holderId, where: "replace-cancel", definitionId: def.id, error: err });
    }
  }
}
