// The dashboard's wire types (dashboard/src/api/types.ts) are written by hand, as the dashboard
// reads the API; the API's answers are described by the OpenAPI response schemas. This keeps
// the two from drifting apart: every field the dashboard reads must be one the API answers with
// (a rename on the server fails here instead of showing blanks in the browser), and a field
// the dashboard declares required must be required in the schema too.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import ts from "typescript";
import { RESPONSE_SCHEMAS } from "../../src/http/openapi-components.js";

interface Member {
  optional: boolean;
}

/** Interfaces of the dashboard's types file: name → property name → whether it is optional. */
function dashboardInterfaces(): Map<string, Map<string, Member>> {
  const path = new URL("../../dashboard/src/api/types.ts", import.meta.url);
  const source = ts.createSourceFile("types.ts", readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true);
  const out = new Map<string, Map<string, Member>>();
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    const name = statement.name.text;
    assert.ok(!out.has(name), `interface ${name} is declared twice (declarations would merge silently)`);
    const members = new Map<string, Member>();
    for (const m of statement.members) {
      if (ts.isPropertySignature(m) && m.name !== undefined) members.set(m.name.getText(source), { optional: m.questionToken !== undefined });
    }
    out.set(name, members);
  }
  return out;
}

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  $ref?: string;
}

function schema(name: string): Schema {
  const s = RESPONSE_SCHEMAS[name] as Schema | undefined;
  assert.ok(s !== undefined, `no OpenAPI response schema ${name}`);
  return s;
}

/** Properties and required names of an object schema, through `allOf` and `$ref`. */
function objectOf(s: Schema): { properties: Record<string, Schema>; required: Set<string> } {
  if (s.$ref !== undefined) return objectOf(schema(s.$ref.replace("#/components/schemas/", "")));
  if (s.allOf !== undefined) {
    const parts = s.allOf.map(objectOf);
    return { properties: Object.assign({}, ...parts.map((p) => p.properties)), required: new Set(parts.flatMap((p) => [...p.required])) };
  }
  return { properties: s.properties ?? {}, required: new Set(s.required ?? []) };
}

// dashboard interface → the schema of the API answer it is read from
const PAIRS: [string, Schema][] = [
  ["WhoAmI", schema("WhoAmI")],
  ["Step", schema("Step")],
  ["Task", schema("Task")],
  ["LogEntry", schema("LogEntry")],
  ["LogPage", schema("LogPage")],
  ["NodeInfo", schema("Node")],
  ["Definition", schema("DefinitionDetails")],
  ["SchedulerStatus", schema("SchedulerStatus")],
  ["Stats", schema("StatsReport")],
  ["AuditEntry", schema("AuditPage").properties!.items.items!],
  ["StatsBucket", schema("StatsReport").properties!.buckets.items!],
  ["TypeDurations", schema("StatsReport").properties!.durations.items!],
];

test("every field the dashboard reads is one the API's OpenAPI schema answers with", () => {
  const interfaces = dashboardInterfaces();
  for (const [name, answer] of PAIRS) {
    const members = interfaces.get(name);
    assert.ok(members !== undefined, `dashboard/src/api/types.ts has no interface ${name}`);
    const { properties, required } = objectOf(answer);
    for (const [field, { optional }] of members) {
      assert.ok(field in properties, `${name}.${field}: the API's schema has no such field (has: ${Object.keys(properties).join(", ")})`);
      if (!optional) assert.ok(required.has(field), `${name}.${field}: the dashboard requires it, the API's schema does not promise it`);
    }
  }
});
