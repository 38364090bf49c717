// Contract: the node registry — register, heartbeat, stop, list, and dead-node detection that
// ends the dead node's leases so their steps are recovered at once.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NodeRegistration } from "../../../src/core/node.js";
import { at, makeTask, T0 } from "../../support/task-factory.js";
import { createAndClaim, LEASE_MS, reload, type ContractContext } from "./contract-context.js";

function node(id: string, name: string, overrides: Partial<NodeRegistration> = {}): NodeRegistration {
  return {
    id,
    name,
    host: "host-1",
    pid: 4242,
    version: "1.2.3",
    labels: { zone: "a" },
    queues: ["default", `node:${name}`, "label:zone=a"],
    executors: ["noop", "shell"],
    capacity: 8,
    startedAt: T0,
    ...overrides,
  };
}

/** Registers the node-registry tests. */
export function describeNodes(ctx: ContractContext): void {
  describe("nodes", () => {
    test("a registered node is listed alive with what it serves", async () => {
      await ctx.store.registerNode(node("n1", "alpha"), T0);
      const [n] = await ctx.store.listNodes();
      assert.deepEqual(
        { ...n, startedAt: n.startedAt.getTime(), lastHeartbeatAt: n.lastHeartbeatAt.getTime() },
        { ...node("n1", "alpha"), startedAt: T0.getTime(), inFlight: 0, state: "alive", lastHeartbeatAt: T0.getTime() },
      );
    });

    test("heartbeats record the in-flight count; a stopped node is listed stopped", async () => {
      await ctx.store.registerNode(node("n1", "alpha"), T0);
      assert.equal(await ctx.store.heartbeatNode("n1", 5, at(1000)), true);
      let [n] = await ctx.store.listNodes();
      assert.equal(n.inFlight, 5);
      assert.equal(n.lastHeartbeatAt.getTime(), at(1000).getTime());
      await ctx.store.stopNode("n1", at(2000));
      [n] = await ctx.store.listNodes();
      assert.equal(n.state, "stopped");
      assert.equal(await ctx.store.heartbeatNode("n1", 1, at(3000)), false, "a stopped node's heartbeat is refused");
    });

    test("a silent node is marked dead, its leases end and recovery returns its step", async () => {
      await ctx.store.registerNode(node("dead-node", "beta"), T0);
      await ctx.store.registerNode(node("live-node", "gamma"), T0);
      const task = makeTask({ steps: 1, step: { tries: 3 } });
      const claimed = await createAndClaim(ctx.store, task, { nodeId: "dead-node", now: T0 });
      await ctx.store.heartbeatNode("live-node", 0, at(9_000));

      // 10 s later, with a 5 s dead-after: the silent node is dead, the other alive.
      const dead = await ctx.store.markDeadNodes(at(10_000), 5_000);
      assert.deepEqual(dead, ["dead-node"]);
      const states = Object.fromEntries((await ctx.store.listNodes()).map((n) => [n.id, n.state]));
      assert.deepEqual(states, { "dead-node": "dead", "live-node": "alive" });

      // Its lease (30 s long) ended at once: recovery at the same instant returns the step.
      assert.ok(LEASE_MS > 10_000);
      const recovered = await ctx.store.recoverExpiredLeases(at(10_000), 10);
      assert.deepEqual(recovered.map((r) => [r.taskId, r.taskStatus, r.nodeId]), [[claimed.task.id, "pending", "dead-node"]]);
      assert.equal((await reload(ctx.store, claimed.task.id)).steps[0].attempts, 1, "the interrupted try stays counted");
      assert.equal(await ctx.store.heartbeatNode("dead-node", 0, at(11_000)), false, "a dead node must register again");
      await ctx.store.registerNode(node("dead-node", "beta"), at(11_000));
      assert.equal((await ctx.store.listNodes()).find((n) => n.id === "dead-node")?.state, "alive");
    });

    test("nodes gone for over a day are forgotten", async () => {
      await ctx.store.registerNode(node("old", "old"), T0);
      await ctx.store.stopNode("old", T0);
      await ctx.store.registerNode(node("new", "new"), at(2 * 86_400_000));
      await ctx.store.markDeadNodes(at(2 * 86_400_000), 60_000);
      assert.deepEqual((await ctx.store.listNodes()).map((n) => n.id), ["new"]);
    });
  });
}
