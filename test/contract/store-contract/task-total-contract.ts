// Contract: a task list counts its total exactly up to TASK_TOTAL_CAP and says when it stopped
// there, so a page of a huge list never pays for counting every row.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TASK_TOTAL_CAP } from "../../../src/store/store.js";
import { makeTask } from "../../support/task-factory.js";
import type { ContractContext } from "./contract-context.js";

/** Registers the capped-total tests. */
export function describeTaskTotal(ctx: ContractContext): void {
  describe("task list totals", () => {
    test("the total is exact up to the cap and a flagged lower bound past it, on every page and filter", async () => {
      const over = TASK_TOTAL_CAP + 5;
      for (let i = 0; i < over; i += 2500) {
        await ctx.store.createTasks(
          Array.from({ length: Math.min(2500, over - i) }, (_, k) => makeTask({ type: (i + k) % 2 === 0 ? "even" : "odd" })),
        );
      }
      const all = await ctx.store.listTasks({ tenant: null }, { limit: 10 });
      assert.equal(all.total, TASK_TOTAL_CAP);
      assert.equal(all.totalCapped, true);
      assert.equal(all.items.length, 10);
      const next = await ctx.store.listTasks({ tenant: null }, { limit: 10, cursor: all.nextCursor });
      assert.equal(next.totalCapped, true);
      assert.ok(next.items.every((t) => t.id < all.items[9].id), "the next page continues below the cursor");

      const even = await ctx.store.listTasks({ tenant: null, type: "even" }, { limit: 5 });
      assert.equal(even.total, Math.ceil(over / 2));
      assert.equal(even.totalCapped, false);
      const none = await ctx.store.listTasks({ tenant: null, type: "none" }, { limit: 5 });
      assert.deepEqual([none.total, none.totalCapped, none.items.length], [0, false, 0]);
    });
  });
}
