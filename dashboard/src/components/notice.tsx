// Messages on a page: errors from the API, empty states, loading.
import type { ComponentChildren } from "preact";
import { ApiError } from "../api/api-error.js";

/** An error box; an ApiError shows its code, message and field errors. */
export function ErrorNotice(props: { error: Error | undefined | null }) {
  if (!props.error) return null;
  const error = props.error;
  return (
    <div class="notice error" role="alert">
      {error instanceof ApiError && error.code ? <strong>{error.code}: </strong> : null}
      {error.message}
      {error instanceof ApiError && error.fields.length > 0 ? (
        <ul>
          {error.fields.map((f) => (
            <li key={f.path}>
              <code>{f.path}</code>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** What a list shows when it has nothing: a line saying so, and optionally what to do. */
export function EmptyState(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      {props.children ? <div class="muted">{props.children}</div> : null}
    </div>
  );
}

export function Loading() {
  return <p class="muted loading">Loading…</p>;
}
