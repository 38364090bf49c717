// Definitions for the client: create, apply (idempotent by name), update, delete, read with
// the next fire times, enable/disable, trigger now, history, and the scheduler's status.
import type { Clock } from "../core/clock.js";
import type { Definition, Schedule, SkippedFire } from "../core/definition.js";
import { DefinitionConflictError, DefinitionNotFoundError, ValidationError } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import { newId } from "../core/ids.js";
import { isTerminalTaskStatus } from "../core/status.js";
import { DEFAULT_TENANT, type Task } from "../core/task.js";
import { parseDefinitionQuery, type DefinitionQuery } from "../core/validation/definition-query.js";
import { resolveDefinitionSpec, type DefinitionSpec, type ResolvedDefinitionSpec } from "../core/validation/definition-spec.js";
import { resolveTaskSpec } from "../core/validation/task-spec.js";
import { parseTaskQuery, type TaskQuery } from "../core/validation/task-query.js";
import { firstFireAt, upcomingFireTimes } from "../scheduler/fire-times.js";
import type { DefinitionPage, SchedulerLease, Store, TaskPage, TenantScope } from "../store/store.js";

/** A definition with what `show` prints besides: its resolved schedule, next fire times and recent skips. */
export interface DefinitionDetails extends Definition {
  schedule: Schedule | null;
  /** The next five fire times (fewer for once/fixedDelay; none when disabled or unscheduled). */
  nextFireTimes: Date[];
  /** The latest skip records (overlap, misfire, duplicate), newest first. */
  skippedFires: SkippedFire[];
}

/** What `applyDefinition` did. */
export interface ApplyDefinitionResult {
  definition: Definition;
  action: "created" | "updated" | "unchanged";
}

/** Who leads the schedulers and how its firing keeps up. */
export interface SchedulerStatus {
  /** The current leader, or null when no scheduler holds an unexpired lease. */
  leader: { id: string; nodeName: string; term: number; since: Date; leaseUntil: Date } | null;
  /** The latest firing pass the leader reported (kept after it died), and its lag. */
  lastTickAt: Date | null;
  lagMs: number | null;
  /** The lease as stored, expired or not (null when no scheduler ever ran). */
  lease: SchedulerLease | null;
}

/** Where the client stands: its scope, creator and known names. */
export interface DefinitionClientContext {
  store: Store;
  events: EventBus;
  clock: Clock;
  scope: TenantScope;
  creator: string | undefined;
  knownExecutors: (() => Iterable<string>) | undefined;
  knownCallbacks: (() => Iterable<string>) | undefined;
}

/** Tries of an update against concurrent fires (each fire bumps the version). */
const UPDATE_TRIES = 5;

/** The definition operations of one client. */
export class DefinitionOperations {
  constructor(private readonly ctx: DefinitionClientContext) {}

  private now(): Date {
    return new Date(this.ctx.clock.now());
  }

  /**
   * `name` in the client's tenant; an admin client (tenant null) addresses `tenant/name`, and a
   * bare name in `default`.
   */
  private locate(ref: string): { tenant: string; name: string } {
    const slash = ref.indexOf("/");
    if (this.ctx.scope === null && slash > 0) return { tenant: ref.slice(0, slash), name: ref.slice(slash + 1) };
    return { tenant: this.ctx.scope ?? DEFAULT_TENANT, name: ref };
  }

  private resolve(spec: unknown): ResolvedDefinitionSpec {
    return resolveDefinitionSpec(spec, {
      now: this.now(),
      knownExecutors: this.ctx.knownExecutors ? new Set(this.ctx.knownExecutors()) : undefined,
      knownCallbacks: this.ctx.knownCallbacks ? new Set(this.ctx.knownCallbacks()) : undefined,
    });
  }

  /** The tenant a new definition goes to: a tenant client's own (the file may only repeat it). */
  private tenantOf(spec: ResolvedDefinitionSpec): string {
    if (this.ctx.scope === null) return spec.tenant ?? DEFAULT_TENANT;
    if (spec.tenant !== null && spec.tenant !== this.ctx.scope) {
      throw new ValidationError([{ path: "tenant", message: `must be "${this.ctx.scope}" (this client's tenant) or absent, got "${spec.tenant}"` }], "invalid definition");
    }
    return this.ctx.scope;
  }

  private async require(ref: string): Promise<Definition> {
    const { tenant, name } = this.locate(ref);
    const def = await this.ctx.store.getDefinition(tenant, name);
    if (!def) throw new DefinitionNotFoundError(ref);
    return def;
  }

  /** Creates a definition; DEFINITION_EXISTS when its tenant has the name already. */
  async create(input: DefinitionSpec): Promise<Definition> {
    const spec = this.resolve(input);
    const now = this.now();
    return this.ctx.store.createDefinition({
      id: newId(),
      tenant: this.tenantOf(spec),
      name: spec.name,
      description: spec.description,
      enabled: spec.enabled,
      spec: spec.spec,
      scheduleKind: spec.schedule?.kind ?? null,
      fixedDelayMs: spec.schedule?.kind === "fixedDelay" ? spec.schedule.delayMs : null,
      nextFireAt: spec.schedule ? firstFireAt(spec.schedule, now, now) : null,
      createdAt: now,
    });
  }

  /** Creates the definition, or updates the one of that name; an identical file changes nothing. */
  async apply(input: DefinitionSpec): Promise<ApplyDefinitionResult> {
    const spec = this.resolve(input);
    const tenant = this.tenantOf(spec);
    const existing = await this.ctx.store.getDefinition(tenant, spec.name);
    if (existing === null) {
      try {
        return { definition: await this.create(input), action: "created" };
      } catch (err) {
        // Created by someone else between our read and insert: update theirs instead.
        if (!(err instanceof Error && (err as { code?: string }).code === "DEFINITION_EXISTS")) throw err;
      }
    }
    return this.replace(tenant, spec);
  }

  /** Replaces the definition `ref` with `input` (whose name must be the same). */
  async update(ref: string, input: DefinitionSpec): Promise<Definition> {
    const spec = this.resolve(input);
    const { tenant, name } = this.locate(ref);
    if (spec.name !== name) throw new ValidationError([{ path: "name", message: `must be "${name}", the definition being updated (renaming is delete + create)` }], "invalid definition");
    if (this.ctx.scope !== null) this.tenantOf(spec);
    else if (spec.tenant !== null && spec.tenant !== tenant) {
      throw new ValidationError([{ path: "tenant", message: `must be "${tenant}" (a definition cannot move between tenants), got "${spec.tenant}"` }], "invalid definition");
    }
    return (await this.replace(tenant, spec)).definition;
  }

  /**
   * Writes `spec` over the stored definition, retrying when a fire bumped the version in
   * between. The planned fire time is kept unless the schedule changed; `enabled` is kept
   * unless the file says it (so an operator's `disable` survives re-applying the repository).
   */
  private async replace(tenant: string, spec: ResolvedDefinitionSpec): Promise<ApplyDefinitionResult> {
    for (let attempt = 0; attempt < UPDATE_TRIES; attempt++) {
      const current = await this.ctx.store.getDefinition(tenant, spec.name);
      if (current === null) throw new DefinitionNotFoundError(spec.name);
      const enabled = "enabled" in spec.spec ? spec.enabled : current.enabled;
      if (sameJson(current.spec, spec.spec) && enabled === current.enabled) return { definition: current, action: "unchanged" };
      const scheduleChanged = !sameJson(current.spec.schedule ?? null, spec.spec.schedule ?? null);
      const now = this.now();
      const nextFireAt = scheduleChanged ? await this.replannedFireAt(current, spec.schedule, now) : current.nextFireAt;
      const updated = await this.ctx.store.updateDefinition({
        id: current.id,
        expectedVersion: current.version,
        description: spec.description,
        enabled,
        spec: spec.spec,
        scheduleKind: spec.schedule?.kind ?? null,
        fixedDelayMs: spec.schedule?.kind === "fixedDelay" ? spec.schedule.delayMs : null,
        nextFireAt,
        now,
        // Tasks fired ahead under the old schedule (or for a definition now disabled) go: a
        // changed schedule is replanned from now and makes its own fires.
        withdrawEarlyFires: scheduleChanged || !enabled,
      });
      if (updated !== null) return { definition: updated, action: "updated" };
    }
    throw new DefinitionConflictError(spec.name);
  }

  /** A changed schedule starts afresh from now; a fixedDelay waits for a still-active task. */
  private async replannedFireAt(current: Definition, schedule: Schedule | null, now: Date): Promise<Date | null> {
    if (schedule === null) return null;
    if (schedule.kind === "fixedDelay" && current.lastTaskId !== null) {
      const last = await this.ctx.store.getTask(current.lastTaskId, null);
      if (last !== null && !isTerminalTaskStatus(last.status)) return null;
    }
    return firstFireAt(schedule, now, current.createdAt);
  }

  /**
   * Deletes a definition (the tasks it made stay, but tasks fired ahead whose time has not come
   * are withdrawn); DEFINITION_NOT_FOUND when absent.
   */
  async delete(ref: string): Promise<void> {
    const { tenant, name } = this.locate(ref);
    if (!(await this.ctx.store.deleteDefinition(tenant, name, this.now()))) throw new DefinitionNotFoundError(ref);
  }

  /** The definition with its schedule, next five fire times and recent skips. */
  async get(ref: string): Promise<DefinitionDetails> {
    const def = await this.require(ref);
    let schedule: Schedule | null = null;
    try {
      schedule = resolveDefinitionSpec(def.spec, { now: this.now() }).schedule;
    } catch {
      // A stored spec that no longer resolves (e.g. its cron stopped firing): shown without times.
    }
    const nextFireTimes = schedule && def.enabled ? [...(await this.firedAhead(def)), ...upcomingFireTimes(schedule, def.nextFireAt, def.createdAt, 5)].slice(0, 5) : [];
    const skippedFires = await this.ctx.store.listSkippedFires(def.id, 10);
    return { ...def, schedule, nextFireTimes, skippedFires };
  }

  /**
   * Fire times already fired ahead (their tasks exist, pending, before their time): still
   * upcoming, though `nextFireAt` has moved past them.
   */
  private async firedAhead(def: Definition): Promise<Date[]> {
    const now = this.now().getTime();
    const pending = await this.ctx.store.listTasks({ tenant: def.tenant, definitionId: def.id, status: ["pending"] }, { limit: 20 });
    return pending.items
      .map((t) => t.scheduledAt)
      .filter((at): at is Date => at !== null && at.getTime() > now)
      .sort((a, b) => a.getTime() - b.getTime());
  }

  /** The definition with that id in the client's scope, or null (what `show` of a task names). */
  byId(id: string): Promise<Definition | null> {
    return this.ctx.store.getDefinitionById(id, this.ctx.scope);
  }

  /** Definitions of the client's tenant (every tenant for admin), by tenant then name. */
  list(query: DefinitionQuery = {}): Promise<DefinitionPage> {
    const q = parseDefinitionQuery(query);
    return this.ctx.store.listDefinitions({ tenant: this.ctx.scope, enabled: q.enabled, namePrefix: q.namePrefix }, { limit: q.limit ?? 100, cursor: q.cursor ?? null });
  }

  /** Enables or disables; a re-enabled definition catches up by its misfire policy. */
  async setEnabled(ref: string, enabled: boolean): Promise<Definition> {
    const { tenant, name } = this.locate(ref);
    const def = await this.ctx.store.setDefinitionEnabled(tenant, name, enabled, this.now());
    if (!def) throw new DefinitionNotFoundError(ref);
    return def;
  }

  /** Creates one task from the definition now, whatever its schedule or enabled state. */
  async trigger(ref: string): Promise<Task> {
    const def = await this.require(ref);
    const spec = resolveDefinitionSpec(def.spec, { now: this.now() });
    const now = this.now();
    const newTask = resolveTaskSpec(spec.task, {
      tenant: def.tenant,
      creator: this.ctx.creator ?? spec.task.creator ?? "trigger",
      now,
      definitionId: def.id,
      scheduledAt: now,
      knownExecutors: this.ctx.knownExecutors ? new Set(this.ctx.knownExecutors()) : undefined,
      knownCallbacks: this.ctx.knownCallbacks ? new Set(this.ctx.knownCallbacks()) : undefined,
    });
    const { task, created } = await this.ctx.store.createTask(newTask, "return");
    if (created) this.ctx.events.emit("task:dispatched", { taskId: task.id, tenant: task.tenant, type: task.type });
    return task;
  }

  /** The tasks the definition made, newest first (the task list query's filters apply). */
  async history(ref: string, query: TaskQuery = {}): Promise<TaskPage> {
    const def = await this.require(ref);
    const q = parseTaskQuery(query);
    return this.ctx.store.listTasks(
      { tenant: this.ctx.scope, definitionId: def.id, status: q.status, type: q.type, createdFrom: q.createdFrom, createdTo: q.createdTo },
      { limit: q.limit ?? 50, cursor: q.cursor ?? null },
    );
  }

  /** Who leads, the last tick and its lag. */
  async schedulerStatus(): Promise<SchedulerStatus> {
    const lease = await this.ctx.store.getSchedulerLease();
    const live = lease !== null && lease.leaseUntil.getTime() > this.ctx.clock.now();
    return {
      leader: live ? { id: lease.holderId, nodeName: lease.holderName, term: lease.term, since: lease.acquiredAt, leaseUntil: lease.leaseUntil } : null,
      lastTickAt: lease?.lastTickAt ?? null,
      lagMs: lease?.lagMs ?? null,
      lease,
    };
  }
}

/** Deep equality of JSON values, key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameJson(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
