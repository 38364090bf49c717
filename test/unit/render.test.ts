import { test } from "node:test";
import assert from "node:assert/strict";
import { TemplateError } from "../../src/core/errors.js";
import { checkTemplates, registerTemplateHelper, renderParams, type RenderScope } from "../../src/core/render.js";

const scope: RenderScope = {
  params: { a: 10, name: "world", nested: { list: [1, { id: "x7" }] } },
  steps: { fetch: { output: { id: 42, url: "http://h/a" }, status: "succeeded", message: null } },
  task: { id: "t-1", type: "deploy" },
};

test("a lone placeholder keeps the type of its value", () => {
  assert.deepEqual(renderParams({ n: "{{ a }}", o: "{{ steps.fetch.output }}" }, scope), { n: 10, o: { id: 42, url: "http://h/a" } });
});

test("placeholders inside text are interpolated as strings", () => {
  assert.deepEqual(renderParams({ s: "hello {{name}} #{{ task.id }} id={{ steps.fetch.output.id }}" }, scope), { s: "hello world #t-1 id=42" });
});

test("paths walk arrays and objects, and params. names the params explicitly", () => {
  assert.deepEqual(renderParams({ v: "{{ nested.list[1].id }}", w: "{{ params.a }}" }, scope), { v: "x7", w: 10 });
});

test("an unknown name fails with an error naming the placeholder", () => {
  assert.throws(() => renderParams({ v: "{{ missing.thing }}" }, scope), (err: unknown) => {
    assert.ok(err instanceof TemplateError);
    assert.equal(err.code, "TEMPLATE_ERROR");
    assert.match(err.message, /unknown name "missing" in placeholder "\{\{ missing.thing \}\}"/);
    return true;
  });
});

test("helpers are piped and custom helpers can be registered", () => {
  registerTemplateHelper("shout", (v) => `${String(v).toUpperCase()}!`);
  assert.deepEqual(renderParams({ v: "{{ name | upper }}", w: "{{ name | shout }}", j: "x={{ nested | json }}" }, scope), {
    v: "WORLD",
    w: "WORLD!",
    j: `x=${JSON.stringify(scope.params.nested)}`,
  });
  assert.throws(() => renderParams({ v: "{{ name | nope }}" }, scope), /unknown helper "nope"/);
});

test("nothing is evaluated: an expression is a syntax error, not code", () => {
  assert.throws(() => renderParams({ v: "{{ process.exit(1) }}" }, scope), TemplateError);
  assert.throws(() => renderParams({ v: "{{ a + 1 }}" }, scope), TemplateError);
});

test("checkTemplates reports bad syntax and steps that are not earlier steps", () => {
  const problems = checkTemplates({ u: "{{ steps.later.output }}", bad: "{{ unclosed", ok: "{{ steps.fetch.output.id }}" }, ["fetch"]);
  assert.deepEqual(
    problems.map((p) => p.path),
    ["u", "bad"],
  );
  assert.match(problems[0].message, /not an earlier step/);
  assert.match(problems[1].message, /unclosed/);
});
