// A button that runs an API action: busy while it runs, its error shown beside it, and an
// optional second click to confirm actions that cannot be undone.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

export function ActionButton(props: {
  onAction: () => Promise<unknown>;
  children: ComponentChildren;
  /** Asks "Confirm?" on the first click. */
  confirm?: boolean;
  kind?: "primary" | "danger" | "plain";
  disabled?: boolean;
  title?: string;
  testId?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [armed, setArmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const click = async () => {
    if (props.confirm && !armed) {
      setArmed(true);
      return;
    }
    setArmed(false);
    setBusy(true);
    setError(null);
    try {
      await props.onAction();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button
        type="button"
        class={`btn ${props.kind ?? "plain"}${armed ? " armed" : ""}`}
        disabled={busy || props.disabled}
        title={props.title}
        data-testid={props.testId}
        onClick={click}
        onBlur={() => setArmed(false)}
      >
        {armed ? "Confirm?" : props.children}
      </button>
      {error ? (
        <span class="action-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
