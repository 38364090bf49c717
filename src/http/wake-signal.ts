// A sleep that ends early when poked: how a polling loop also reacts at once to in-process news.

/** Sleeps until a timeout or a `poke()`, whichever comes first; a poke while awake is kept. */
export class WakeSignal {
  private pending = false;
  private wakeUp: (() => void) | null = null;

  /** Ends the current sleep, or makes the next one return at once. */
  poke(): void {
    this.pending = true;
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  /** Resolves after `ms`, or as soon as poked (at once if poked since the last sleep). */
  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.pending = false;
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
