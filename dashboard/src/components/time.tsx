// A relative time ("3m ago") with the exact time on hover.
import { fullTime, relativeTime } from "../format.js";
import { useNow } from "../hooks.js";

export function RelativeTime(props: { at: string | null | undefined }) {
  const now = useNow(1000);
  if (!props.at) return <span class="muted">—</span>;
  return (
    <time dateTime={props.at} title={fullTime(props.at)}>
      {relativeTime(props.at, now)}
    </time>
  );
}
