import assert from "node:assert/strict";
import { test } from "node:test";
import { hasPlaceholders } from "../../src/core/render.js";

test("hasPlaceholders finds a '{{' in any string, however deep, and nowhere else", () => {
  assert.equal(hasPlaceholders({}), false);
  assert.equal(hasPlaceholders({ a: 1, b: null, c: true, d: "plain {text}", e: [1, ["x"]], f: { g: "}}" } }), false);
  assert.equal(hasPlaceholders({ a: "{{ x }}" }), true);
  assert.equal(hasPlaceholders({ a: { b: [1, { c: "id-{{task.id}}" }] } }), true);
  // An unclosed one counts too: rendering then reports it.
  assert.equal(hasPlaceholders(["{{ broken"]), true);
  assert.equal(hasPlaceholders("{{x}}"), true);
});
