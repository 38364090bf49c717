// The signed-in session: the API token lives in sessionStorage only (gone when the tab closes),
// and what it may do comes from GET /whoami, never from anything the user typed.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { ApiClient } from "./api/api-client.js";
import type { WhoAmI } from "./api/types.js";

const TOKEN_KEY = "taskrail.token";

/** A token that the server accepted, with its tenant and role. */
export interface Session {
  api: ApiClient;
  who: WhoAmI;
  /** Operators and admins may act; viewers only read (the API refuses them anyway). */
  canAct: boolean;
  isAdmin: boolean;
  signOut: () => void;
}

/** The token kept for this browser tab, if any. */
export function storedToken(): string | null {
  return window.sessionStorage.getItem(TOKEN_KEY);
}

/** Fired on `window` when a signed-in token is refused (401); `detail` is the server's message. */
export const UNAUTHORIZED_EVENT = "taskrail:unauthorized";

/** Checks `token` with the server and keeps it for this tab when it is accepted. */
export async function signIn(token: string): Promise<{ api: ApiClient; who: WhoAmI }> {
  // The sign-in check itself reports a bad token as its error; later refusals end the session.
  let signedIn = false;
  const api = new ApiClient(token.trim(), (message) => {
    if (signedIn) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, { detail: message }));
  });
  const who = await api.whoami();
  signedIn = true;
  window.sessionStorage.setItem(TOKEN_KEY, api.token);
  return { api, who };
}

/** Forgets the token of this tab. */
export function forgetToken(): void {
  window.sessionStorage.removeItem(TOKEN_KEY);
}

export const SessionContext = createContext<Session | null>(null);

/** The session of a signed-in page (pages render only inside one). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() outside a signed-in page");
  return session;
}
