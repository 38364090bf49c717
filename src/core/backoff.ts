// How long a failed step waits before its next try: fixed, exponential or fibonacci, always capped.

/** Backoff kinds a step may use. */
export const BACKOFF_KINDS = ["fixed", "exponential", "fibonacci"] as const;
/** A backoff kind. */
export type BackoffKind = (typeof BACKOFF_KINDS)[number];

/** A resolved backoff policy, units in ms. */
export interface BackoffPolicy {
  kind: BackoffKind;
  /** Base delay: the wait after the first failed try. */
  delayMs: number;
  /** Cap on any single wait (the seeds' fibonacci was uncapped; ours never is). @default 1 hour */
  maxMs: number;
  /** Fraction 0..1 of the wait randomised away (full jitter on that fraction). @default 0 */
  jitter: number;
}

/** The default when a step names no backoff: 1 s fixed. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ kind: "fixed", delayMs: 1000, maxMs: 3_600_000, jitter: 0 });

/**
 * The wait after the `failedTries`-th failed try (1 = after the first failure).
 * `random` returns [0, 1); injected so tests are exact.
 */
export function computeBackoffMs(policy: BackoffPolicy, failedTries: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failedTries));
  let raw: number;
  switch (policy.kind) {
    case "fixed":
      raw = policy.delayMs;
      break;
    case "exponential":
      // 2^(n-1) grows past any cap quickly; clamp the exponent so the number stays finite.
      raw = policy.delayMs * 2 ** Math.min(n - 1, 52);
      break;
    case "fibonacci":
      raw = policy.delayMs * fibonacci(n);
      break;
  }
  const capped = Math.min(raw, policy.maxMs);
  if (policy.jitter <= 0) return Math.round(capped);
  const jitterPart = capped * Math.min(1, policy.jitter);
  return Math.round(capped - jitterPart + jitterPart * random());
}

/** 1, 1, 2, 3, 5, 8 … for n = 1, 2, 3 …; stops growing past 80 (already far above any cap). */
function fibonacci(n: number): number {
  let a = 1;
  let b = 1;
  for (let i = 2; i < Math.min(n, 80); i++) [a, b] = [b, a + b];
  return n <= 2 ? 1 : b;
}
