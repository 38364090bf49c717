// The signed-in frame: navigation (a top bar that folds into a menu on narrow screens), who is
// signed in, and the page.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { Link, type Location } from "./router.js";
import { useSession } from "./session.js";

const NAV = [
  { href: "/", label: "Overview", match: (p: string) => p === "/" },
  { href: "/tasks", label: "Tasks", match: (p: string) => p.startsWith("/tasks") },
  { href: "/definitions", label: "Definitions", match: (p: string) => p.startsWith("/definitions") },
  { href: "/nodes", label: "Nodes", match: (p: string) => p.startsWith("/nodes") },
  { href: "/audit", label: "Audit", match: (p: string) => p.startsWith("/audit"), adminOnly: true },
];

export function Layout(props: { location: Location; children: ComponentChildren }) {
  const session = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const tenant = session.who.tenant === null || session.who.tenant === "*" ? "all tenants" : session.who.tenant;
  return (
    <div class="shell">
      <header class="topbar">
        <Link href="/" class="brand">
          <img src="/assets/favicon.svg" alt="" width={22} height={22} />
          taskrail
        </Link>
        <button type="button" class="btn plain menu-toggle" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <nav class={menuOpen ? "open" : ""} onClick={() => setMenuOpen(false)}>
          {NAV.filter((item) => !item.adminOnly || session.isAdmin).map((item) => (
            <Link key={item.href} href={item.href} class={item.match(props.location.path) ? "active" : ""}>
              {item.label}
            </Link>
          ))}
        </nav>
        <div class="whoami" data-testid="whoami">
          <span class="tenant" title="tenant">{tenant}</span>
          <span class={`role role-${session.who.role}`}>{session.who.role}</span>
          <button type="button" class="btn plain" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>{props.children}</main>
    </div>
  );
}
