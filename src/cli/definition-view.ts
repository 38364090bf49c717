// The human views of definitions (`defs list`, `defs show`) and of the scheduler's status.
import type { Definition } from "../core/definition.js";
import type { DefinitionDetails, SchedulerStatus } from "../client/definition-operations.js";
import { formatDuration, formatTable, formatTime } from "./output.js";

/** A one-cell summary of a definition's schedule, from its spec. */
export function formatSchedule(def: Pick<Definition, "spec">): string {
  const s = def.spec.schedule as Record<string, unknown> | undefined;
  if (!s) return "manual";
  const policy = [s.misfire ? `misfire ${typeof s.misfire === "string" ? s.misfire : JSON.stringify(s.misfire)}` : "", s.overlap ? `overlap ${String(s.overlap)}` : ""]
    .filter(Boolean)
    .join(", ");
  let what: string;
  if (s.cron !== undefined) what = `cron "${String(s.cron)}"${s.timezone ? ` ${String(s.timezone)}` : " UTC"}`;
  else if (s.fixedRate !== undefined) what = `every ${String(s.fixedRate)}`;
  else if (s.fixedDelay !== undefined) what = `${String(s.fixedDelay)} after each run ends`;
  else what = `once at ${String(s.once)}`;
  return policy ? `${what} (${policy})` : what;
}

/** The `defs list` table. */
export function formatDefinitionsTable(defs: Definition[]): string {
  return formatTable(
    ["NAME", "TENANT", "ENABLED", "SCHEDULE", "NEXT FIRE", "LAST FIRE"],
    defs.map((d) => [d.name, d.tenant, d.enabled ? "yes" : "no", formatSchedule(d), d.enabled ? formatTime(d.nextFireAt) : "-", formatTime(d.lastFireAt)]),
  );
}

/** The `defs show` view. */
export function formatDefinitionView(d: DefinitionDetails): string {
  const task = d.spec.task as { type?: string; steps?: { name: string; executor: string }[]; queue?: string };
  const lines = [
    `definition  ${d.name}`,
    `id          ${d.id}`,
    `tenant      ${d.tenant}`,
    `enabled     ${d.enabled ? "yes" : "no"}`,
  ];
  if (d.description) lines.push(`description ${d.description}`);
  lines.push(`schedule    ${formatSchedule(d)}`);
  lines.push(`task        ${task.type ?? "?"}: ${(task.steps ?? []).map((s) => `${s.name}(${s.executor})`).join(" → ")}${task.queue ? `  queue ${task.queue}` : ""}`);
  lines.push(`last fire   ${formatTime(d.lastFireAt)}${d.lastTaskId ? `  task ${d.lastTaskId}` : ""}`);
  if (d.nextFireTimes.length === 0) {
    lines.push(`next fires  ${!d.enabled ? "none (disabled)" : d.schedule?.kind === "fixedDelay" ? "when the running task ends" : "none"}`);
  } else {
    lines.push("next fires");
    for (const t of d.nextFireTimes) lines.push(`  ${formatTime(t)}`);
    if (d.schedule?.kind === "fixedDelay") lines.push(`  then ${formatDuration(d.schedule.delayMs)} after each run ends`);
  }
  if (d.skippedFires.length > 0) {
    lines.push("skipped fires (latest first)");
    lines.push(
      formatTable(
        ["  SCHEDULED", "COUNT", "REASON", "BLOCKING TASK"],
        d.skippedFires.map((s) => [`  ${formatTime(s.scheduledAt)}`, String(s.count), s.reason, s.blockingTaskId ?? "-"]),
      ),
    );
  }
  return lines.join("\n");
}

/** The `scheduler status` view. */
export function formatSchedulerStatus(s: SchedulerStatus, now: Date): string {
  const lines: string[] = [];
  if (s.leader) {
    lines.push(`leader      ${s.leader.nodeName}  (id ${s.leader.id}, term ${s.leader.term})`);
    lines.push(`since       ${formatTime(s.leader.since)}`);
    lines.push(`lease until ${formatTime(s.leader.leaseUntil)}`);
  } else if (s.lease) {
    lines.push(`leader      none (last: ${s.lease.holderName}, lease ended ${formatTime(s.lease.leaseUntil)})`);
  } else {
    lines.push("leader      none (no scheduler has run on this store)");
  }
  lines.push(`last tick   ${formatTime(s.lastTickAt)}${s.lastTickAt ? `  (${formatDuration(Math.max(0, now.getTime() - s.lastTickAt.getTime()))} ago)` : ""}`);
  lines.push(`lag         ${formatDuration(s.lagMs)}`);
  return lines.join("\n");
}
