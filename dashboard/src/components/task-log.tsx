// A task's log, following live while the task can still write: new lines are fetched after the
// last id seen whenever an event for the task arrives, and by polling as a fallback.
import { useEffect, useRef, useState } from "preact/hooks";
import type { LogEntry, LogLevel, Task } from "../api/types.js";
import { useEvents, useInterval } from "../hooks.js";
import { useSession } from "../session.js";
import { ErrorNotice } from "./notice.js";

const LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];
const POLL_MS = 2000;

export function TaskLog(props: { task: Task }) {
  const { api } = useSession();
  const [lines, setLines] = useState<LogEntry[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [minLevel, setMinLevel] = useState<LogLevel>("debug");
  const [follow, setFollow] = useState(true);
  const lastId = useRef<number | undefined>(undefined);
  const fetching = useRef(false);
  const bottom = useRef<HTMLDivElement>(null);

  const fetchMore = async () => {
    if (fetching.current) return;
    fetching.current = true;
    try {
      // Page through everything new, not just one page.
      for (;;) {
        const page = await api.taskLogs(props.task.id, lastId.current);
        if (page.items.length === 0) break;
        lastId.current = page.items[page.items.length - 1].id;
        setLines((old) => [...old, ...page.items]);
        if (!page.nextCursor && page.items.length < 500) break;
      }
      setError(null);
    } catch (err) {
      setError(err as Error);
    } finally {
      fetching.current = false;
    }
  };

  useEffect(() => {
    void fetchMore();
  }, [props.task.id]);
  useEvents({ taskId: props.task.id }, () => void fetchMore());
  const active = props.task.status === "pending" || props.task.status === "running";
  useInterval(() => {
    if (active) void fetchMore();
  }, POLL_MS);
  useEffect(() => {
    if (follow) bottom.current?.scrollIntoView({ block: "nearest" });
  }, [lines.length, follow]);

  const shown = lines.filter((l) => LEVELS.indexOf(l.level) >= LEVELS.indexOf(minLevel));
  const stepName = (index: number | null) => (index === null ? "task" : (props.task.steps[index]?.name ?? `#${index}`));
  return (
    <section class="card">
      <div class="section-head">
        <h2>Log</h2>
        <label class="inline">
          level ≥{" "}
          <select value={minLevel} onChange={(e) => setMinLevel((e.target as HTMLSelectElement).value as LogLevel)}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          <input type="checkbox" checked={follow} onChange={() => setFollow(!follow)} /> follow
        </label>
      </div>
      <ErrorNotice error={error} />
      {shown.length === 0 ? (
        <p class="muted">{lines.length === 0 ? "No log lines yet." : "No lines at this level."}</p>
      ) : (
        <div class="log" data-testid="task-log">
          {shown.map((line) => (
            <div key={line.id} class={`log-line level-${line.level}`}>
              <span class="log-time">{new Date(line.at).toLocaleTimeString()}</span>
              <span class="log-level">{line.level}</span>
              <span class="log-step">
                {stepName(line.stepIndex)}
                {line.attempt ? `#${line.attempt}` : ""}
              </span>
              <span class="log-message">
                {line.message}
                {line.fields && Object.keys(line.fields).length > 0 ? <span class="log-fields"> {JSON.stringify(line.fields)}</span> : null}
              </span>
            </div>
          ))}
          <div ref={bottom} />
        </div>
      )}
    </section>
  );
}
