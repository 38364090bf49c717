// A task or step status as a coloured pill: the same colour for a status everywhere.
import type { StepStatus } from "../api/types.js";

export function StatusBadge(props: { status: StepStatus | "alive" | "dead" | "stopped" | string; title?: string }) {
  return (
    <span class={`badge status-${props.status}`} data-status={props.status} title={props.title}>
      {props.status}
    </span>
  );
}
