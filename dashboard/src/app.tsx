// The dashboard shell: restores the tab's session, shows sign-in or the signed-in layout, and
// picks the page from the path.
import { useEffect, useMemo, useState } from "preact/hooks";
import type { ApiClient } from "./api/api-client.js";
import type { WhoAmI } from "./api/types.js";
import { Layout } from "./layout.js";
import { AuditPage } from "./pages/audit.js";
import { DefinitionDetailPage } from "./pages/definition-detail.js";
import { DefinitionFormPage } from "./pages/definition-form.js";
import { DefinitionsPage } from "./pages/definitions.js";
import { NodesPage } from "./pages/nodes.js";
import { NotFoundPage } from "./pages/not-found.js";
import { OverviewPage } from "./pages/overview.js";
import { SignInPage } from "./pages/sign-in.js";
import { TaskDetailPage } from "./pages/task-detail.js";
import { TasksPage } from "./pages/tasks.js";
import { matchPath, useLocation, type Location } from "./router.js";
import { forgetToken, SessionContext, signIn, storedToken, UNAUTHORIZED_EVENT, type Session } from "./session.js";

/** The page for a path (most specific patterns first). */
function route(location: Location) {
  const { path } = location;
  let params: Record<string, string> | null;
  if (path === "/" || path === "") return <OverviewPage />;
  if (path === "/tasks") return <TasksPage />;
  if ((params = matchPath("/tasks/:id", path))) return <TaskDetailPage key={params.id} id={params.id} />;
  if (path === "/definitions") return <DefinitionsPage />;
  if (path === "/definitions/new") return <DefinitionFormPage />;
  if ((params = matchPath("/definitions/:name/edit", path))) return <DefinitionFormPage key={params.name} name={params.name} />;
  if ((params = matchPath("/definitions/:name", path))) return <DefinitionDetailPage key={params.name} name={params.name} />;
  if (path === "/nodes") return <NodesPage />;
  if (path === "/audit") return <AuditPage />;
  return <NotFoundPage />;
}

export function App() {
  const location = useLocation();
  const [signedIn, setSignedIn] = useState<{ api: ApiClient; who: WhoAmI } | null>(null);
  // A stored token is checked once at start; until then nothing is shown (no sign-in flash).
  const [restoring, setRestoring] = useState(() => storedToken() !== null);
  // Why the last session ended on its own (a refused token), shown on the sign-in page.
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  useEffect(() => {
    const onRefused = (event: Event) => {
      forgetToken();
      setSignedIn(null);
      setEndedBecause(`The server no longer accepts this token (${(event as CustomEvent<string>).detail}). Sign in again.`);
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onRefused);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onRefused);
  }, []);

  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    signIn(token).then(setSignedIn, () => forgetToken()).finally(() => setRestoring(false));
  }, []);

  const session = useMemo<Session | null>(() => {
    if (!signedIn) return null;
    return {
      ...signedIn,
      canAct: signedIn.who.role !== "viewer",
      isAdmin: signedIn.who.role === "admin",
      signOut: () => {
        forgetToken();
        setSignedIn(null);
      },
    };
  }, [signedIn]);

  if (restoring) return <p class="muted loading">Loading…</p>;
  if (!session) {
    return (
      <SignInPage
        notice={endedBecause}
        onSignedIn={(next) => {
          setEndedBecause(null);
          setSignedIn(next);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Layout location={location}>{route(location)}</Layout>
    </SessionContext.Provider>
  );
}
