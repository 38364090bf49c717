// Small hooks shared by the pages: load data, tick a clock, follow the event stream.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { followEvents, type EventStreamFilter, type StreamEvent } from "./api/event-stream.js";
import { useSession } from "./session.js";

/** State of one asynchronous load. */
export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again (keeps the old data on screen meanwhile). */
  reload: () => void;
  setData: (data: T) => void;
}

/** Runs `load` when `deps` change; a newer load wins over a slower older one. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    load().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: Error) => {
        if (mine !== generation.current) return;
        setError(err);
        setLoading(false);
      },
    );
    // `load` is a new closure every render: the caller's `deps` say when it really changed.
  }, deps);
  useEffect(run, [run]);
  return { data, error, loading, reload: run, setData };
}

/** The current time, refreshed every `everyMs` so relative times stay true. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Calls `fn` every `everyMs` while the page is shown. */
export function useInterval(fn: () => void, everyMs: number): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const timer = setInterval(() => latest.current(), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
}

/** Follows the event stream while mounted (a null filter follows nothing); returns whether it is connected. */
export function useEvents(filter: EventStreamFilter | null, onEvent: (event: StreamEvent) => void): boolean {
  const { api } = useSession();
  const [connected, setConnected] = useState(false);
  const latest = useRef(onEvent);
  latest.current = onEvent;
  const key = JSON.stringify(filter);
  useEffect(
    () => (filter ? followEvents(api.token, filter, { onEvent: (e) => latest.current(e), onConnection: setConnected }) : undefined),
    // The filter object is new on every render: follow again only when its content changes.
    [api.token, key],
  );
  return connected;
}

/** A function that runs `fn` once, `delayMs` after the first of a burst of calls. */
export function useCoalesced(fn: () => void, delayMs: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, delayMs);
  }, [delayMs]);
}

/**
 * Keeps a view fresh: `reload` runs on events matching `filter` (at most once per `coalesceMs`,
 * however many arrive), and every `pollMs` while the event stream is not connected
 * (reconnecting, or a server without it).
 * Returns whether the stream is connected.
 */
export function useLiveReload(filter: EventStreamFilter | null, reload: () => void, pollMs = 3000, coalesceMs = 250): boolean {
  const reloadSoon = useCoalesced(reload, coalesceMs);
  const live = useEvents(filter, (event) => {
    if (event.type === "task" || event.type === "step") reloadSoon();
  });
  useInterval(() => {
    if (!live && filter) reload();
  }, pollMs);
  return live;
}
