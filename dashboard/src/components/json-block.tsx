// JSON shown as an indented, scrollable block.
import { prettyJson } from "../format.js";

export function JsonBlock(props: { value: unknown; label?: string }) {
  const empty =
    props.value === null ||
    props.value === undefined ||
    (typeof props.value === "object" && Object.keys(props.value as object).length === 0);
  return (
    <div class="json">
      {props.label ? <div class="json-label">{props.label}</div> : null}
      {empty ? <span class="muted">none</span> : <pre>{prettyJson(props.value)}</pre>}
    </div>
  );
}
