// Parsers of flag values shared by commands; every bad value is a VALIDATION_FAILED error that
// names the flag (`--param: expected K=V, got "x"`), so scripts get exit code 2.
import { parseDurationMs } from "../core/duration.js";
import type { JsonValue } from "../core/json.js";
import { flagError } from "./cli-errors.js";

/** Commander's accumulator for repeatable flags: `--queue a --queue b` → `["a", "b"]`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Splits `K=V` at the first `=`; `K` must be non-empty. */
export function parseKeyValue(flag: string, text: string, shape = "K=V"): [string, string] {
  const eq = text.indexOf("=");
  if (eq < 0) throw flagError(flag, `expected ${shape}, got ${JSON.stringify(text)}`);
  const key = text.slice(0, eq).trim();
  if (key === "") throw flagError(flag, `expected ${shape} with a non-empty ${shape.split("=")[0]}, got ${JSON.stringify(text)}`);
  return [key, text.slice(eq + 1)];
}

/** A `--param` value: JSON when it parses (`10`, `true`, `{"x":1}`), else the raw string. */
export function parseParamValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** `--param K=V` flags merged into one object (later flags win). */
export function parseParamFlags(values: readonly string[] | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const text of values ?? []) {
    const [key, raw] = parseKeyValue("--param", text);
    out[key] = parseParamValue(raw);
  }
  return out;
}

/** An integer flag within [min, max]. */
export function parseIntFlag(flag: string, text: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  const n = /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw flagError(flag, `must be an integer between ${min} and ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/**
 * A point in time: ISO-8601 (`2024-05-01T12:00:00Z`) or relative to now with a leading `+`
 * (`+5m`: in five minutes) or `-` (`-1h`: an hour ago). Returned as an ISO string.
 */
export function parseInstantFlag(flag: string, text: string, now: Date = new Date()): string {
  if (text.startsWith("+") || text.startsWith("-")) {
    const parsed = parseDurationMs(text.slice(1));
    if (!parsed.ok) throw flagError(flag, `a relative time must look like +30s, +5m or -1h, got ${JSON.stringify(text)}`);
    const sign = text.startsWith("+") ? 1 : -1;
    return new Date(now.getTime() + sign * parsed.ms).toISOString();
  }
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw flagError(flag, `must be an ISO-8601 time (2024-05-01T12:00:00Z) or ±DURATION (+5m, -1h), got ${JSON.stringify(text)}`);
  }
  return text;
}
