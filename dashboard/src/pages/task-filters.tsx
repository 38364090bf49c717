// The filter bar of the task list. Filters live in the URL query, so a filtered view can be
// bookmarked and shared; the search box goes to a task by id or filters by index.
import { useEffect, useState } from "preact/hooks";
import { TASK_STATUSES } from "../api/types.js";
import { navigate } from "../router.js";

/** The filter fields, as URL query keys (and API query keys). */
export const FILTER_KEYS = ["status", "type", "queue", "index", "creator", "definitionId", "createdFrom", "createdTo"] as const;
export type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Filters read from a query string. */
export function filtersFrom(query: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = query.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

function hrefFor(filters: Filters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]!);
  const text = params.toString();
  return text ? `/tasks?${text}` : "/tasks";
}

/** An ISO time as the value of a datetime-local input (local time, minutes). */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function TaskFilters(props: { filters: Filters }) {
  const [draft, setDraft] = useState<Filters>(props.filters);
  const [search, setSearch] = useState("");
  useEffect(() => setDraft(props.filters), [JSON.stringify(props.filters)]);

  const activeCount = Object.keys(props.filters).length;
  // Open on wide screens; on a phone only when filters are set (they take the whole screen).
  const filtersOpen = activeCount > 0 || window.matchMedia("(min-width: 761px)").matches;
  const apply = (next: Filters) => navigate(hrefFor(next), { replace: true });
  const text = (key: keyof Filters, label: string) => (
    <label class="field">
      <span>{label}</span>
      <input
        name={key}
        value={draft[key] ?? ""}
        onInput={(e) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value || undefined })}
      />
    </label>
  );
  const onSearch = (event: Event) => {
    event.preventDefault();
    const term = search.trim();
    if (!term) return;
    // A task id goes straight to its page; anything else is a business index.
    if (UUID.test(term)) navigate(`/tasks/${term}`);
    else apply({ ...props.filters, index: term });
    setSearch("");
  };
  return (
    <div class="filters">
      <form class="search" onSubmit={onSearch} role="search">
        <input
          type="search"
          name="search"
          placeholder="Search by task id or index"
          value={search}
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="btn plain">
          Search
        </button>
      </form>
      <details class="filter-box" open={filtersOpen}>
        <summary>Filters{activeCount > 0 ? ` (${activeCount} active)` : ""}</summary>
        <form
          class="filter-grid"
          onSubmit={(e) => {
            e.preventDefault();
            apply(draft);
          }}
        >
          <label class="field">
            <span>status</span>
            <select
              name="status"
              value={draft.status ?? ""}
              onChange={(e) => {
                const next = { ...draft, status: (e.target as HTMLSelectElement).value || undefined };
                setDraft(next);
                apply(next);
              }}
            >
              <option value="">any</option>
              {TASK_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          {text("type", "type")}
          {text("queue", "queue")}
          {text("index", "index")}
          {text("creator", "creator")}
          {text("definitionId", "definition id")}
          <label class="field">
            <span>created from</span>
            <input
              type="datetime-local"
              name="createdFrom"
              value={toLocalInput(draft.createdFrom)}
              onInput={(e) => setDraft({ ...draft, createdFrom: fromLocalInput((e.target as HTMLInputElement).value) })}
            />
          </label>
          <label class="field">
            <span>created to</span>
            <input
              type="datetime-local"
              name="createdTo"
              value={toLocalInput(draft.createdTo)}
              onInput={(e) => setDraft({ ...draft, createdTo: fromLocalInput((e.target as HTMLInputElement).value) })}
            />
          </label>
          <div class="filter-actions">
            <button type="submit" class="btn primary">
              Apply
            </button>
            <button type="button" class="btn plain" onClick={() => apply({})}>
              Clear
            </button>
          </div>
        </form>
      </details>
    </div>
  );
}
