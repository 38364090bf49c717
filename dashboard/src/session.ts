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

/** Checks `token` with the server and keeps it for this tab when it is accepted. */
export async function signIn(token: string): Promise<{ api: ApiClient; who: WhoAmI }> {
  const api = new ApiClient(token.trim());
  const who = await api.whoami();
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
