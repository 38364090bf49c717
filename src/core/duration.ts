// Durations as users write them ("500ms", "30s", "5m", 1500) parsed once, at the edge, to ms.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** A duration: a number of milliseconds or a string like `"500ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"`. */
export type Duration = number | string;

/**
 * Parses a duration to whole milliseconds; returns an error text instead of throwing so a
 * schema can report it against the field that held it.
 */
export function parseDurationMs(value: unknown): { ok: true; ms: number } | { ok: false; message: string } {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) return { ok: false, message: `must be a duration >= 0, got ${value}` };
    return { ok: true, ms: Math.round(value) };
  }
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed)) return { ok: true, ms: Number(trimmed) };
    const m = DURATION_RE.exec(trimmed);
    if (m) return { ok: true, ms: Math.round(Number(m[1]) * UNIT_MS[m[2]]) };
    return { ok: false, message: `must be a duration like "500ms", "30s", "5m", "2h" or a number of ms, got "${value}"` };
  }
  return { ok: false, message: `must be a duration (number of ms or a string like "30s"), got ${typeof value}` };
}

/** Formats milliseconds for people: `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}s`;
  return `${Math.floor(ms / 3_600_000)}h${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, "0")}m`;
}
