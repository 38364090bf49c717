// A server-sent-events client for tests: fetch + a real SSE parser (eventsource-parser), with
// a way to wait for the event that satisfies a predicate.
import { createParser, type EventSourceMessage } from "eventsource-parser";

/** One open stream. */
export interface SseStream {
  /** The HTTP status of the answer. */
  status: number;
  /** Every event received so far, in order. */
  readonly events: EventSourceMessage[];
  /** Comment lines received so far (heartbeats). */
  readonly comments: string[];
  /** Resolves with the first received event (past or future) matching `match`; rejects after `timeoutMs`. */
  waitFor(match: (event: EventSourceMessage) => boolean, timeoutMs?: number): Promise<EventSourceMessage>;
  /** Disconnects. */
  close(): Promise<void>;
}

/** Opens `url` as an event stream; non-200 answers resolve with `status` and no events. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream & { body: string }> {
  const controller = new AbortController();
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
  let body = "";
  let reading: Promise<void> = Promise.resolve();
  if (response.status !== 200) {
    body = await response.text();
  } else {
    const parser = createParser({
      onEvent: (event) => {
        events.push(event);
        for (const w of [...waiters]) w();
      },
      onComment: (comment) => comments.push(comment),
    });
    reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: response.status,
    body,
    events,
    comments,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${events.length} events`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}
