// The batched step completions run with generic plans made once per connection (the keyed
// lane: force_generic_plan), so their plan must not depend on the statistics of the moment.
// Checked in the worst case for it: statistics taken on a small table with no running task,
// where a cost-based choice walked tasks_status_id or tasks_lease_until (every running task
// per move) or seq-scanned. Every move statement must reach tasks and steps by primary key only.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { applyMigrations } from "../../src/store/postgres/apply-migrations.js";
import { PostgresConnection } from "../../src/store/postgres/postgres-connection.js";
import { moveStatements } from "../../src/store/postgres/task-transitions.js";
import { dropSchema, freshSchemaName, postgresUrl, requirePostgres } from "../support/postgres.js";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan tree, depth first. */
function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** Literal arguments of the right types for a move statement: one move, no log lines. */
function argumentsOf(sql: string): string {
  const types = [...sql.matchAll(/\$(\d+)::([a-z]+)\[\]/g)].reduce<string[]>((acc, [, n, type]) => ((acc[Number(n) - 1] = type), acc), []);
  const one: Record<string, string> = { text: "'x'", int: "1", timestamptz: "now()", boolean: "true" };
  // the first five columns are the move's target; the log arrays (the last seven) stay empty
  return types.map((type, i) => (i >= types.length - 7 ? `ARRAY[]::${type}[]` : `ARRAY[${one[type]}]::${type}[]`)).join(", ");
}

if (await requirePostgres()) {
  const schema = freshSchemaName("move_plans");
  after(() => dropSchema(schema));

  test("move statements probe tasks and steps by primary key, whatever the statistics", async () => {
    const conn = new PostgresConnection(postgresUrl(), schema, 2);
    try {
      await applyMigrations(conn);
      // A small table, all pending, analysed: the statistics that misled the planner.
      await conn.query(`
        INSERT INTO tasks (id, tenant, type, queue, step_count, current_step, current_executor, current_queue, status, run_at, created_at, updated_at)
        SELECT 't' || g, 'default', 't', 'default', 1, 0, 'noop', 'default', 'pending', now(), now(), now() FROM generate_series(1, 50) g`);
      await conn.query(`
        INSERT INTO steps (task_id, idx, name, executor, status, max_tries, backoff_kind, backoff_delay_ms, backoff_max_ms)
        SELECT 't' || g, 0, 's', 'noop', 'pending', 1, 'fixed', 0, 0 FROM generate_series(1, 50) g`);
      await conn.query("ANALYZE tasks");
      await conn.query("ANALYZE steps");
      const statements = moveStatements();
      assert.equal(statements.length, 6);
      for (const [i, sql] of statements.entries()) {
        // the keyed lane has one connection here: PREPARE and EXECUTE share its session
        await conn.keyed.query(`PREPARE move_${i} AS ${sql}`);
        const rows = (await conn.keyed.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) EXECUTE move_${i}(${argumentsOf(sql)})`)).rows;
        const nodes = nodesOf(rows[0]["QUERY PLAN"][0].Plan);
        const where = `statement ${i}: ${sql.slice(0, 80)}`;
        assert.deepEqual(nodes.filter((n) => /Seq Scan|Hash Join|Merge Join|Bitmap/.test(n["Node Type"])).map((n) => n["Node Type"]), [], where);
        const reads = nodes.filter((n) => /Scan/.test(n["Node Type"]) && (n["Relation Name"] === "tasks" || n["Relation Name"] === "steps"));
        assert.ok(reads.length > 0, where);
        for (const n of reads) assert.equal(n["Index Name"], `${n["Relation Name"]}_pkey`, `${where}: ${n["Node Type"]} on ${n["Relation Name"]}`);
      }
    } finally {
      await conn.close();
    }
  });
}
