// A task's log, following live: the first page is read with GET …/logs, then the server's log
// stream (`follow=1`, server-sent events) delivers every new line until the task ends. A retry
// makes an ended task write again, so the stream restarts whenever the task leaves its end.
import { useEffect, useRef, useState } from "preact/hooks";
import { followStream } from "../api/event-stream.js";
import { TERMINAL, type LogEntry, type LogLevel, type Task } from "../api/types.js";
import { useSession } from "../session.js";
import { ErrorNotice } from "./notice.js";

const LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];

export function TaskLog(props: { task: Task }) {
  const { api } = useSession();
  const [lines, setLines] = useState<LogEntry[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [minLevel, setMinLevel] = useState<LogLevel>("debug");
  const [follow, setFollow] = useState(true);
  const [streaming, setStreaming] = useState(false);
  const lastId = useRef(0);
  const box = useRef<HTMLDivElement>(null);
  const ended = TERMINAL.includes(props.task.status);

  const append = (items: LogEntry[]) => {
    const fresh = items.filter((l) => l.id > lastId.current);
    if (fresh.length === 0) return;
    lastId.current = fresh[fresh.length - 1].id;
    setLines((old) => [...old, ...fresh]);
  };

  // Read what is there (every page), then follow while the task can still write.
  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    const run = async () => {
      try {
        for (;;) {
          const page = await api.taskLogs(props.task.id, lastId.current);
          if (cancelled) return;
          append(page.items);
          if (page.nextAfterId === null) break;
        }
        setError(null);
      } catch (err) {
        setError(err as Error);
      }
      if (cancelled || ended) return;
      stop = followStream(
        api.token,
        { path: `/tasks/${encodeURIComponent(props.task.id)}/logs`, query: { follow: 1, afterId: lastId.current }, endEvent: "end" },
        {
          onEvent: (event) => {
            if (event.type === "log") append([event.data as LogEntry]);
            if (event.type === "end") setStreaming(false);
          },
          onConnection: setStreaming,
        },
      );
    };
    void run();
    return () => {
      cancelled = true;
      stop?.();
      setStreaming(false);
    };
  }, [api, props.task.id, ended]);

  // Scroll the log box, never the page: the reader may be looking at the steps above.
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length, follow, minLevel]);

  const shown = lines.filter((l) => LEVELS.indexOf(l.level) >= LEVELS.indexOf(minLevel));
  const stepName = (index: number | null) => (index === null ? "task" : (props.task.steps[index]?.name ?? `#${index}`));
  return (
    <section class="card">
      <div class="section-head">
        <h2>Log</h2>
        {streaming ? <span class="live on">following</span> : null}
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
          <input type="checkbox" checked={follow} onChange={() => setFollow(!follow)} /> scroll to new lines
        </label>
      </div>
      <ErrorNotice error={error} />
      {shown.length === 0 ? (
        <p class="muted">{lines.length === 0 ? "No log lines yet." : "No lines at this level."}</p>
      ) : (
        <div class="log" data-testid="task-log" ref={box}>
          {shown.map((line) => (
            <div key={line.id} class={`log-line level-${line.level}`}>
              <span class="log-time" title={new Date(line.at).toLocaleString()}>
                {new Date(line.at).toLocaleTimeString()}
              </span>
              <span class="log-level">{line.level}</span>
              <span class="log-step">
                {stepName(line.stepIndex)}
                {line.attempt ? ` #${line.attempt}` : ""}
              </span>
              <span class="log-message">
                {line.message}
                {line.fields && Object.keys(line.fields).length > 0 ? <span class="log-fields"> {JSON.stringify(line.fields)}</span> : null}
              </span>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
