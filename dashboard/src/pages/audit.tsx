// Audit log (admins): who did what to which target, when, in which tenant, and how it ended.
import { useState } from "preact/hooks";
import { EmptyState, ErrorNotice, Loading } from "../components/notice.js";
import { RelativeTime } from "../components/time.js";
import { useAsync } from "../hooks.js";
import { useSession } from "../session.js";

export function AuditPage() {
  const { api, isAdmin } = useSession();
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(() => (isAdmin ? api.audit(cursor) : Promise.resolve(undefined)), [api, cursor, isAdmin]);
  if (!isAdmin) return <EmptyState title="The audit log is for admin tokens" />;
  const items = page.data?.items ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Audit log</h1>
        <button type="button" class="btn plain" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={page.error} />
      {page.data === undefined ? (
        page.loading ? <Loading /> : null
      ) : items.length === 0 ? (
        <EmptyState title="Nothing recorded yet">Every call that changes something is recorded here.</EmptyState>
      ) : (
        <div class="table-wrap">
          <table data-testid="audit-table">
            <thead>
              <tr>
                <th>when</th>
                <th>token</th>
                <th class="hide-narrow">tenant</th>
                <th>action</th>
                <th>target</th>
                <th class="hide-narrow">call</th>
                <th>outcome</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={String(e.id)}>
                  <td>
                    <RelativeTime at={e.at} />
                  </td>
                  <td class="mono small">{e.tokenId ?? "—"}</td>
                  <td class="hide-narrow">{e.tenant === "*" ? "all (admin)" : e.tenant}</td>
                  <td>{e.action}</td>
                  <td class="mono small">{e.target ?? "—"}</td>
                  <td class="hide-narrow mono small">
                    {e.method} {e.path}
                  </td>
                  <td>
                    <span class={`badge ${e.outcome === "ok" ? "status-succeeded" : "status-failed"}`}>
                      {e.statusCode} {e.outcome}
                    </span>
                    {e.errorCode ? <div class="muted small">{e.errorCode}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="pager">
        <button type="button" class="btn plain" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <button
          type="button"
          class="btn plain"
          disabled={!page.data?.nextCursor}
          onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
        >
          Older →
        </button>
      </div>
    </div>
  );
}
