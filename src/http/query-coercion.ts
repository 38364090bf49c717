// Query strings carry only text. The query schemas are the library's (numbers are numbers,
// lists are arrays), so before validation each value is converted to what the schema's JSON
// form says the field holds: `limit=50` → 50, `status=failed,timeout` → ["failed", "timeout"].
import { z, type ZodType } from "zod";

type FieldKind = "string" | "number" | "boolean" | "array" | "unknown";

/** Each query field's kind, read once from the schema. */
export type QueryShape = Record<string, FieldKind>;

interface JsonSchemaNode {
  type?: string | string[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
}

function kindOf(node: JsonSchemaNode): FieldKind {
  const types = new Set<string>();
  const visit = (n: JsonSchemaNode): void => {
    if (typeof n.type === "string") types.add(n.type);
    else if (Array.isArray(n.type)) n.type.forEach((t) => types.add(t));
    n.anyOf?.forEach(visit);
    n.oneOf?.forEach(visit);
  };
  visit(node);
  // A field that also takes text (durations, times) is left as text: the schema parses it.
  if (types.has("string")) return "string";
  if (types.has("array")) return "array";
  if (types.has("number") || types.has("integer")) return "number";
  if (types.has("boolean")) return "boolean";
  return "unknown";
}

/** The kinds of the fields of an object schema. */
export function queryShapeOf(schema: ZodType): QueryShape {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
  const shape: QueryShape = {};
  for (const [name, node] of Object.entries(json.properties ?? {})) shape[name] = kindOf(node);
  return shape;
}

const NUMBER_RE = /^-?\d+(\.\d+)?$/;

/** Converts the text values of a parsed query string per `shape`; what does not convert is left for the schema to reject. */
export function coerceQuery(shape: QueryShape, raw: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    const kind = shape[key];
    if (kind === "array") {
      const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === "string" ? v.split(",") : [v]));
      out[key] = parts.filter((v) => v !== "");
    } else if (kind === "number" && typeof value === "string" && NUMBER_RE.test(value)) {
      out[key] = Number(value);
    } else if (kind === "boolean" && typeof value === "string") {
      out[key] = value === "" || value === "1" || value === "true" ? true : value === "0" || value === "false" ? false : value;
    } else {
      out[key] = value;
    }
  }
  return out;
}
