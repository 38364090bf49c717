// The Clock port: core, worker and scheduler read time only through it, so tests can move it.

/** Where time comes from. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
