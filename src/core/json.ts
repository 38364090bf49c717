// JSON value types: params, payloads, outputs and log fields are JSON and nothing else.

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object (task and step params are always objects). */
export type JsonObject = { [key: string]: JsonValue };

/** True for a plain (non-array, non-null) object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Converts an executor's return value to JSON (Dates to ISO strings, undefined to null),
 * so what is stored is exactly what a later reader gets back.
 */
export function toJsonValue(value: unknown): JsonValue {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}
