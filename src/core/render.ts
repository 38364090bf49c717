// Renders `{{ name }}` placeholders in step params at step start: a path lookup and optional
// `| helper` pipes, nothing evaluated. An unknown name is an error naming the placeholder.
import { TemplateError } from "./errors.js";
import { isPlainObject, type JsonObject, type JsonValue } from "./json.js";

/** A template helper: receives the piped value and returns the new one. */
export type TemplateHelper = (value: unknown) => unknown;

/** Built-in helpers; more are added with `registerTemplateHelper`. */
const builtinHelpers: Record<string, TemplateHelper> = {
  upper: (v) => String(v).toUpperCase(),
  lower: (v) => String(v).toLowerCase(),
  trim: (v) => String(v).trim(),
  json: (v) => JSON.stringify(v),
  string: (v) => (typeof v === "string" ? v : JSON.stringify(v)),
  number: (v) => Number(v),
};
const customHelpers = new Map<string, TemplateHelper>();

/** Registers a helper usable as `{{ name | helperName }}` in every later render. */
export function registerTemplateHelper(name: string, helper: TemplateHelper): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TemplateError(`helper name "${name}" is not an identifier`, name);
  customHelpers.set(name, helper);
}

const PLACEHOLDER_RE = /\{\{([\s\S]*?)\}\}/g;
const SEGMENT_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** A parsed placeholder: a dotted path and the helpers piped after it. */
export interface Placeholder {
  raw: string;
  path: string[];
  helpers: string[];
}

/** Parses one placeholder body (`steps.fetch.output.id | upper`); throws TemplateError on bad syntax. */
export function parsePlaceholder(raw: string): Placeholder {
  const [expr, ...pipes] = raw.split("|").map((s) => s.trim());
  if (!expr) throw new TemplateError(`empty placeholder "{{${raw}}}"`, raw);
  const path: string[] = [];
  // Accept a.b.c and a[0].b; brackets hold only integers.
  for (const part of expr.replace(/\[(\d+)\]/g, ".$1").split(".")) {
    if (!SEGMENT_RE.test(part) && !/^\d+$/.test(part)) {
      throw new TemplateError(`placeholder "{{${raw}}}" has an invalid name "${part || expr}"`, raw);
    }
    path.push(part);
  }
  for (const helper of pipes) {
    if (!SEGMENT_RE.test(helper)) throw new TemplateError(`placeholder "{{${raw}}}" has an invalid helper "${helper}"`, raw);
  }
  return { raw, path, helpers: pipes };
}

/** Every placeholder in a string (syntax-checked). */
export function findPlaceholders(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const m of text.matchAll(PLACEHOLDER_RE)) found.push(parsePlaceholder(m[1]));
  // A lone "{{" without its "}}" is almost always a typo: refuse it rather than send it on.
  const stripped = text.replace(PLACEHOLDER_RE, "");
  if (stripped.includes("{{")) throw new TemplateError(`unclosed placeholder in "${text}"`, text);
  return found;
}

/**
 * What placeholders may name: top-level names are the step's params (task params overlaid
 * with the step's own, unrendered); `params.x` the same explicitly; `steps.<name>.output…`,
 * `steps.<name>.status`; `task.id`, `task.type` …
 */
export interface RenderScope {
  params: JsonObject;
  steps: Record<string, { output: JsonValue; status: string; message: string | null }>;
  task: Record<string, JsonValue>;
}

function lookup(scope: RenderScope, ph: Placeholder): unknown {
  const [head, ...rest] = ph.path;
  let value: unknown;
  let remaining: string[];
  if (head === "steps" || head === "task" || head === "params") {
    value = head === "steps" ? scope.steps : head === "task" ? scope.task : scope.params;
    remaining = rest;
  } else {
    value = scope.params;
    remaining = ph.path;
  }
  let walked = head === "steps" || head === "task" || head === "params" ? head : "";
  for (const key of remaining) {
    walked = walked ? `${walked}.${key}` : key;
    if (Array.isArray(value) && /^\d+$/.test(key)) value = value[Number(key)];
    else if (isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, key)) value = value[key];
    else throw new TemplateError(`unknown name "${walked}" in placeholder "{{${ph.raw}}}"`, ph.raw);
  }
  for (const name of ph.helpers) {
    const helper = customHelpers.get(name) ?? builtinHelpers[name];
    if (!helper) throw new TemplateError(`unknown helper "${name}" in placeholder "{{${ph.raw}}}"`, ph.raw);
    value = helper(value);
  }
  return value;
}

/** Renders one string: a lone placeholder keeps its value's type; mixed text becomes a string. */
export function renderString(text: string, scope: RenderScope): unknown {
  const placeholders = findPlaceholders(text);
  if (placeholders.length === 0) return text;
  const whole = /^\{\{([\s\S]*?)\}\}$/.exec(text);
  if (whole && placeholders.length === 1) return lookup(scope, placeholders[0]);
  return text.replace(PLACEHOLDER_RE, (_m, body: string) => {
    const v = lookup(scope, parsePlaceholder(body));
    return typeof v === "string" ? v : JSON.stringify(v);
  });
}

/** Renders every string inside `value` (objects and arrays walked); returns a new value. */
export function renderValue(value: JsonValue, scope: RenderScope): JsonValue {
  if (typeof value === "string") return renderString(value, scope) as JsonValue;
  if (Array.isArray(value)) return value.map((v) => renderValue(v, scope));
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v as JsonValue, scope);
    return out;
  }
  return value;
}

/** True when some string inside `value` holds "{{" (only then does rendering need a scope). */
export function hasPlaceholders(value: JsonValue): boolean {
  if (typeof value === "string") return value.includes("{{");
  if (Array.isArray(value)) return value.some(hasPlaceholders);
  if (isPlainObject(value)) {
    for (const key in value) if (hasPlaceholders(value[key] as JsonValue)) return true;
  }
  return false;
}

/** Renders a params object. */
export function renderParams(params: JsonObject, scope: RenderScope): JsonObject {
  return renderValue(params, scope) as JsonObject;
}

/**
 * Checks templates at dispatch: syntax, and that `steps.<name>` names an earlier step.
 * Returns `{ path, message }` per problem, `path` relative to `value`.
 */
export function checkTemplates(
  value: JsonValue,
  earlierSteps: readonly string[],
  path = "",
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const visit = (v: JsonValue, p: string): void => {
    if (typeof v === "string") {
      try {
        for (const ph of findPlaceholders(v)) {
          if (ph.path[0] === "steps" && ph.path[1] !== undefined && !earlierSteps.includes(ph.path[1])) {
            problems.push({ path: p, message: `placeholder "{{${ph.raw}}}" names step "${ph.path[1]}", which is not an earlier step` });
          }
          for (const h of ph.helpers) {
            if (!customHelpers.has(h) && !(h in builtinHelpers)) problems.push({ path: p, message: `unknown helper "${h}" in placeholder "{{${ph.raw}}}"` });
          }
        }
      } catch (err) {
        problems.push({ path: p, message: (err as Error).message });
      }
    } else if (Array.isArray(v)) v.forEach((item, i) => visit(item, p ? `${p}.${i}` : String(i)));
    else if (isPlainObject(v)) for (const [k, item] of Object.entries(v)) visit(item as JsonValue, p ? `${p}.${k}` : k);
  };
  visit(value, path);
  return problems;
}
