// Create or edit a definition. The API validates; its field errors (`fields[].path`) are shown
// under the matching input, and any it cannot place go in a box at the top.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api/api-error.js";
import type { Definition, ScheduleSpec } from "../api/types.js";
import { ErrorNotice, Loading } from "../components/notice.js";
import { navigate } from "../router.js";
import { useSession } from "../session.js";

type Kind = "none" | "cron" | "fixedRate" | "fixedDelay" | "once";

interface Draft {
  name: string;
  description: string;
  enabled: boolean;
  kind: Kind;
  cron: string;
  timezone: string;
  every: string;
  once: string;
  misfire: string;
  overlap: string;
  task: string;
}

const EXAMPLE_TASK = { type: "hello", steps: [{ name: "say", executor: "noop" }] };

/** The form paths each input answers for (the API's `fields[].path`). */
const FIELD_PATHS: Record<string, string[]> = {
  name: ["name"],
  description: ["description"],
  enabled: ["enabled"],
  cron: ["schedule.cron", "schedule"],
  timezone: ["schedule.timezone"],
  every: ["schedule.fixedRate", "schedule.fixedDelay"],
  once: ["schedule.once", "schedule.startAt"],
  misfire: ["schedule.misfire"],
  overlap: ["schedule.overlap"],
  task: ["task"],
};

function draftFrom(d: Definition | undefined): Draft {
  const s: ScheduleSpec = d?.spec.schedule ?? {};
  const kind: Kind = s.cron ? "cron" : s.fixedRate !== undefined ? "fixedRate" : s.fixedDelay !== undefined ? "fixedDelay" : s.once ? "once" : d ? "none" : "cron";
  return {
    name: d?.name ?? "",
    description: d?.description ?? "",
    enabled: d?.enabled ?? true,
    kind,
    cron: s.cron ?? "",
    timezone: s.timezone ?? "",
    every: String(s.fixedRate ?? s.fixedDelay ?? ""),
    once: s.once ?? "",
    misfire: typeof s.misfire === "object" ? s.misfire.policy : (s.misfire ?? ""),
    overlap: s.overlap ?? "",
    task: JSON.stringify(d?.spec.task ?? EXAMPLE_TASK, null, 2),
  };
}

/** A duration as the API takes it: a number of ms, or a string like "5m". */
function durationValue(text: string): number | string {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim();
}

function bodyFrom(draft: Draft, task: unknown): Record<string, unknown> {
  let schedule: Record<string, unknown> | undefined;
  if (draft.kind !== "none") {
    schedule = {};
    if (draft.kind === "cron") {
      schedule.cron = draft.cron;
      if (draft.timezone.trim()) schedule.timezone = draft.timezone.trim();
    } else if (draft.kind === "once") {
      schedule.once = draft.once ? new Date(draft.once).toISOString() : "";
    } else {
      schedule[draft.kind] = durationValue(draft.every);
    }
    if (draft.misfire) schedule.misfire = draft.misfire;
    if (draft.overlap) schedule.overlap = draft.overlap;
  }
  return {
    name: draft.name.trim(),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    enabled: draft.enabled,
    ...(schedule ? { schedule } : {}),
    task,
  };
}

/** One labelled input with the API's message for it underneath. */
function Field(p: { input: string; label: string; message: string | undefined; hint?: string; children: ComponentChildren }) {
  return (
    <div class={`form-field${p.message ? " invalid" : ""}`} data-field={p.input}>
      <label for={`f-${p.input}`}>{p.label}</label>
      {p.children}
      {p.hint ? <div class="muted small">{p.hint}</div> : null}
      {p.message ? (
        <div class="field-error" role="alert" id={`e-${p.input}`} data-testid={`error-${p.input}`}>
          {p.message}
        </div>
      ) : null}
    </div>
  );
}

export function DefinitionFormPage(props: { name?: string }) {
  const { api, canAct } = useSession();
  const editing = props.name !== undefined;
  const [draft, setDraft] = useState<Draft | null>(editing ? null : draftFrom(undefined));
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!props.name) return;
    api.getDefinition(props.name).then((d) => setDraft(draftFrom(d)), setError);
  }, [api, props.name]);

  if (!canAct) return <ErrorNotice error={new Error("A viewer token cannot change definitions.")} />;
  if (!draft) return error ? <ErrorNotice error={error} /> : <Loading />;

  const fieldError = (input: keyof typeof FIELD_PATHS): string | undefined => {
    if (!(error instanceof ApiError)) return undefined;
    for (const path of FIELD_PATHS[input]) {
      const message = error.fieldMessage(path);
      if (message) return message;
    }
    return undefined;
  };
  const placed = new Set(Object.values(FIELD_PATHS).flat());
  const unplaced =
    error instanceof ApiError
      ? error.fields.filter((f) => ![...placed].some((p) => f.path === p || f.path.startsWith(`${p}.`) || f.path.startsWith(`${p}[`)))
      : [];
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const value = (e: Event) => (e.target as HTMLInputElement).value;

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    let task: unknown;
    try {
      task = JSON.parse(draft.task);
    } catch (err) {
      setError(new ApiError(0, "INVALID_JSON", "The task template is not valid JSON.", [{ path: "task", message: (err as Error).message }]));
      return;
    }
    setBusy(true);
    try {
      const body = bodyFrom(draft, task);
      const saved = editing ? await api.updateDefinition(props.name!, body) : await api.createDefinition(body);
      navigate(`/definitions/${encodeURIComponent(saved.name)}`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page">
      <div class="page-head">
        <h1>{editing ? `Edit ${props.name}` : "New definition"}</h1>
      </div>
      {error && (!(error instanceof ApiError) || error.fields.length === 0 || unplaced.length > 0) ? (
        <ErrorNotice error={error instanceof ApiError && unplaced.length > 0 ? new ApiError(error.status, error.code, error.message, unplaced) : error} />
      ) : null}
      <form class="card form" onSubmit={submit} noValidate>
        <Field input="name" message={fieldError("name")} label="Name">
          <input id="f-name" aria-invalid={fieldError("name") ? true : undefined} aria-describedby={fieldError("name") ? "e-name" : undefined} name="name" value={draft.name} disabled={editing} onInput={(e) => set({ name: value(e) })} />
        </Field>
        <Field input="description" message={fieldError("description")} label="Description">
          <input id="f-description" aria-invalid={fieldError("description") ? true : undefined} aria-describedby={fieldError("description") ? "e-description" : undefined} name="description" value={draft.description} onInput={(e) => set({ description: value(e) })} />
        </Field>
        <div class="form-field">
          <label class="inline">
            <input type="checkbox" name="enabled" checked={draft.enabled} onChange={() => set({ enabled: !draft.enabled })} /> Enabled
          </label>
        </div>
        <div class="form-field">
          <label for="f-kind">Schedule</label>
          <select id="f-kind" name="kind" value={draft.kind} onChange={(e) => set({ kind: value(e) as Kind })}>
            <option value="cron">cron</option>
            <option value="fixedRate">fixed rate</option>
            <option value="fixedDelay">fixed delay</option>
            <option value="once">once</option>
            <option value="none">none (trigger by hand)</option>
          </select>
        </div>
        {draft.kind === "cron" ? (
          <>
            <Field input="cron" message={fieldError("cron")} label="Cron expression" hint="5 fields (minute hour day month weekday) or 6 with seconds first">
              <input id="f-cron" aria-invalid={fieldError("cron") ? true : undefined} aria-describedby={fieldError("cron") ? "e-cron" : undefined} name="cron" class="mono" value={draft.cron} onInput={(e) => set({ cron: value(e) })} placeholder="*/5 * * * *" />
            </Field>
            <Field input="timezone" message={fieldError("timezone")} label="Time zone" hint="IANA name, e.g. Europe/Berlin; empty means UTC">
              <input id="f-timezone" aria-invalid={fieldError("timezone") ? true : undefined} aria-describedby={fieldError("timezone") ? "e-timezone" : undefined} name="timezone" value={draft.timezone} onInput={(e) => set({ timezone: value(e) })} />
            </Field>
          </>
        ) : null}
        {draft.kind === "fixedRate" || draft.kind === "fixedDelay" ? (
          <Field input="every" message={fieldError("every")} label={draft.kind === "fixedRate" ? "Every" : "Delay after each run"} hint='ms, or "30s", "5m", "1h"'>
            <input id="f-every" aria-invalid={fieldError("every") ? true : undefined} aria-describedby={fieldError("every") ? "e-every" : undefined} name="every" value={draft.every} onInput={(e) => set({ every: value(e) })} />
          </Field>
        ) : null}
        {draft.kind === "once" ? (
          <Field input="once" message={fieldError("once")} label="At">
            <input id="f-once" aria-invalid={fieldError("once") ? true : undefined} aria-describedby={fieldError("once") ? "e-once" : undefined} name="once" type="datetime-local" value={draft.once.slice(0, 16)} onInput={(e) => set({ once: value(e) })} />
          </Field>
        ) : null}
        {draft.kind !== "none" ? (
          <div class="form-row">
            <Field input="misfire" message={fieldError("misfire")} label="Misfire policy">
              <select id="f-misfire" aria-invalid={fieldError("misfire") ? true : undefined} aria-describedby={fieldError("misfire") ? "e-misfire" : undefined} name="misfire" value={draft.misfire} onChange={(e) => set({ misfire: value(e) })}>
                <option value="">default</option>
                <option value="fireOnce">fireOnce</option>
                <option value="skip">skip</option>
                <option value="fireAll">fireAll</option>
              </select>
            </Field>
            <Field input="overlap" message={fieldError("overlap")} label="Overlap policy">
              <select id="f-overlap" aria-invalid={fieldError("overlap") ? true : undefined} aria-describedby={fieldError("overlap") ? "e-overlap" : undefined} name="overlap" value={draft.overlap} onChange={(e) => set({ overlap: value(e) })}>
                <option value="">default</option>
                <option value="allow">allow</option>
                <option value="forbid">forbid</option>
                <option value="replace">replace</option>
              </select>
            </Field>
          </div>
        ) : null}
        <Field input="task" message={fieldError("task")} label="Task template (JSON, the task file format)">
          <textarea id="f-task" aria-invalid={fieldError("task") ? true : undefined} aria-describedby={fieldError("task") ? "e-task" : undefined} name="task" class="mono" rows={12} value={draft.task} onInput={(e) => set({ task: value(e) })} />
        </Field>
        <div class="form-actions">
          <button type="submit" class="btn primary" disabled={busy}>
            {busy ? "Saving…" : editing ? "Save" : "Create"}
          </button>
          <button type="button" class="btn plain" onClick={() => history.back()}>
            Back
          </button>
        </div>
      </form>
    </div>
  );
}
