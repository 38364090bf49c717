// Plain-text output helpers (no colors): aligned tables, times, JSON documents and JSON values.
import { formatDurationMs } from "../core/duration.js";
import type { Task } from "../core/task.js";

/** Prints one JSON document (Dates become ISO strings through their toJSON). */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Prints one JSON value on a single line (for JSON-lines streams). */
export function printJsonLine(value: unknown): void {
  console.log(JSON.stringify(value));
}

/** Columns padded to their widest cell, separated by two spaces; the last column is not padded. */
export function formatTable(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, col) => Math.max(...all.map((row) => (row[col] ?? "").length)));
  return all
    .map((row) =>
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** A time as `2024-05-01 12:00:03Z` (UTC, to the second), or `-`. */
export function formatTime(date: Date | null | undefined): string {
  if (!date) return "-";
  return date.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

/** A duration for people (`850ms`, `12.3s`, `4m05s`), or `-`. */
export function formatDuration(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : formatDurationMs(ms);
}

/** A JSON value in one line, cut to `max` characters. */
export function formatValue(value: unknown, max = 120): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? "null";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `i/n`: the step a task is on (1-based), or `n/n` once every step is done. */
export function formatStepCounter(task: Pick<Task, "steps" | "currentStep">): string {
  const n = task.steps.length;
  return `${Math.min(task.currentStep + 1, n)}/${n}`;
}

/** Cuts a one-line text to `max` characters (newlines become spaces). */
export function truncate(text: string | null | undefined, max = 60): string {
  if (!text) return "";
  const flat = text.replace(/\s*\n\s*/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
