// Shared pieces of the Store contract suite: the harness shape, the per-test store, and small
// helpers that drive the port (never an adapter's internals).
import assert from "node:assert/strict";
import type { Lease, NewTask, Task } from "../../../src/core/task.js";
import type { ClaimedTask, ClaimRequest, Store } from "../../../src/store/store.js";
import { T0 } from "../../support/task-factory.js";

/** How a backend's test file hands the suite its stores. */
export interface StoreHarness {
  /** A store on a fresh, empty database (called before every test). */
  open(): Promise<Store>;
  /**
   * A second, independent connection/instance on the database of the latest `open()`, for
   * concurrency tests. Omit it when the backend cannot share a database between instances.
   */
  openSecond?(): Promise<Store>;
  /** Removes every database the harness made (called once, after the suite). */
  cleanup(): Promise<void>;
}

/** What each section of the suite gets: the harness and the store of the running test. */
export interface ContractContext {
  readonly harness: StoreHarness;
  /** A fresh store, opened before each test and closed after it. */
  readonly store: Store;
}

/** Lease length used by the helpers. */
export const LEASE_MS = 30_000;

/** A claim request for node `node-a` on the default queue with the `noop` executor at T0. */
export function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { nodeId: "node-a", queues: ["default"], executors: ["noop"], limit: 10, leaseMs: LEASE_MS, now: T0, ...overrides };
}

/** Claims exactly one task (fails the test otherwise). */
export async function claimOne(store: Store, overrides: Partial<ClaimRequest> = {}): Promise<ClaimedTask> {
  const claimed = await store.claimTasks(claimRequest({ limit: 1, ...overrides }));
  assert.equal(claimed.length, 1, "expected one task to be claimed");
  return claimed[0];
}

/** Creates `task` and returns it as stored. */
export async function create(store: Store, task: NewTask): Promise<Task> {
  const result = await store.createTask(task, "fail");
  assert.equal(result.created, true);
  return result.task;
}

/** Creates `task` and claims it (it must be the only ready task of its queue). */
export async function createAndClaim(store: Store, task: NewTask, overrides: Partial<ClaimRequest> = {}): Promise<ClaimedTask> {
  await create(store, task);
  return claimOne(store, { queues: [task.steps[0].queue ?? task.queue], executors: [task.steps[0].executor], ...overrides });
}

/** The task as stored now (fails the test when absent). */
export async function reload(store: Store, id: string): Promise<Task> {
  const task = await store.getTask(id, null);
  assert.ok(task, `task ${id} should exist`);
  return task;
}

/** A lease with one field changed. */
export function withLease(lease: Lease, change: Partial<Lease>): Lease {
  return { ...lease, ...change };
}
