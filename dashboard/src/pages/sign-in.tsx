// Sign-in with an API token: checked with GET /whoami, then kept for this tab only.
import { useState } from "preact/hooks";
import type { ApiClient } from "../api/api-client.js";
import type { WhoAmI } from "../api/types.js";
import { ErrorNotice } from "../components/notice.js";
import { signIn } from "../session.js";

export function SignInPage(props: { onSignedIn: (session: { api: ApiClient; who: WhoAmI }) => void; notice?: string | null }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!token.trim()) {
      setError(new Error("Enter an API token."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await signIn(token));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="signin">
      <form class="card" onSubmit={submit}>
        <h1>
          <img src="/assets/favicon.svg" alt="" width={28} height={28} /> taskrail
        </h1>
        {props.notice ? <div class="notice error">{props.notice}</div> : null}
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          placeholder="tr_…"
          autofocus
        />
        <p class="muted small">
          <code>taskrail serve</code> prints an admin token on its first start; <code>taskrail token create</code> makes
          more. The token stays in this browser tab only.
        </p>
        <ErrorNotice error={error} />
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
