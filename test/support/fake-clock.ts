// A clock tests move by hand: the scheduler and client read time only through it.
import type { Clock } from "../../src/core/clock.js";

/** A settable clock starting at `start`. */
export class FakeClock implements Clock {
  private ms: number;
  constructor(start: Date | string) {
    this.ms = new Date(start).getTime();
  }
  now(): number {
    return this.ms;
  }
  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.ms += ms;
  }
  /** Sets the time. */
  set(to: Date | string): void {
    this.ms = new Date(to).getTime();
  }
  /** The current time as a Date. */
  date(): Date {
    return new Date(this.ms);
  }
}
