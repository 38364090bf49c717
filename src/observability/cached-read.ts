// A store read shared by every caller for `maxAgeMs`: what keeps a metrics scrape's database
// cost bounded however often (and however many scrapers) ask.
import type { Clock } from "../core/clock.js";

/** Caches the last successful result of `read`; concurrent callers share one read in flight. */
export class CachedRead<T> {
  private value: T | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<T | undefined> | null = null;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly clock: Clock,
    /** Called when a read fails; the previous value (if any) is served meanwhile. */
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The cached value, refreshed first when older than `maxAgeMs`; undefined until a read succeeds. */
  get(): Promise<T | undefined> {
    if (this.clock.now() - this.readAt < this.maxAgeMs) return Promise.resolve(this.value);
    this.inFlight ??= this.read().then(
      (value) => {
        this.value = value;
        this.readAt = this.clock.now();
        this.inFlight = null;
        return value;
      },
      (err: unknown) => {
        this.onError(err);
        this.inFlight = null;
        return this.value;
      },
    );
    return this.inFlight;
  }
}
