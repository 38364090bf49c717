// Example executors module for `taskrail worker --executors examples/executors.js`.
//
// The contract: the default export maps executor names to functions `(ctx) => result`
// (sync or async). What a function returns becomes the step's output; `ctx.setParam(k, v)`
// shares a variable with later steps; a throw fails the try (retried while tries remain),
// `NonRetryableError` fails the step at once. Executors may run more than once for the same
// step (a worker can die mid-step), so keep them idempotent.
//
// The optional named export `callbacks` maps callback names to functions called once per
// terminal transition of tasks that list them in `callbacks`.
import { NonRetryableError } from "taskrail";

/** Waits `ms`, or rejects as soon as the step is cancelled, times out or the worker stops. */
function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A number from a param that may be a number or a numeric string. */
function numberParam(params, name) {
  const value = params[name];
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    // Bad input never gets better on a retry: fail the step at once.
    throw new NonRetryableError(`param "${name}" must be a number, got ${JSON.stringify(value ?? null)}`);
  }
  return n;
}

export default {
  /** The seeds' hello executor: adds params a and b, shares the sum as param "sum". */
  add(ctx) {
    const a = numberParam(ctx.params, "a");
    const b = numberParam(ctx.params, "b");
    const sum = a + b;
    ctx.log.info("adding", { a, b, sum });
    ctx.setParam("sum", sum);
    return { sum };
  },

  /** Pretends to download a build artifact, reporting progress; shares its URL. */
  async "fetch-artifact"(ctx) {
    const artifact = String(ctx.params.artifact ?? "app");
    const version = String(ctx.params.version ?? "1.0.0");
    ctx.log.info("fetching artifact", { artifact, version });
    for (let chunk = 1; chunk <= 4; chunk++) {
      await pause(50, ctx.signal);
      ctx.progress(chunk * 5, `downloaded ${chunk}/4 chunks of ${artifact}-${version}.tgz`);
    }
    const url = `file:///var/cache/artifacts/${artifact}-${version}.tgz`;
    ctx.setParam("artifactUrl", url);
    return { artifact, version, url, schemaVersion: 7 };
  },

  /** Pretends to apply database migrations one by one up to `toVersion`. */
  async "migrate-db"(ctx) {
    const database = String(ctx.params.database ?? "app");
    const toVersion = numberParam(ctx.params, "toVersion");
    const fromVersion = Math.max(0, toVersion - 3);
    for (let v = fromVersion + 1; v <= toVersion; v++) {
      await pause(30, ctx.signal);
      ctx.log.info("applied migration", { database, version: v });
      ctx.progress(20 + Math.round(((v - fromVersion) / (toVersion - fromVersion)) * 20), `migration ${v}/${toVersion}`);
    }
    ctx.setParam("schemaVersion", toVersion);
    return { database, applied: toVersion - fromVersion, schemaVersion: toVersion };
  },

  /**
   * A deploy that fails its first `failTimes` tries (param, default 2), to show retries and
   * backoff: with `tries: 3` it succeeds on the third; `--param failTimes=5` makes it fail.
   */
  async "flaky-deploy"(ctx) {
    const failTimes = ctx.params.failTimes === undefined ? 2 : numberParam(ctx.params, "failTimes");
    const version = String(ctx.params.version ?? "unknown");
    const env = String(ctx.params.env ?? "staging");
    ctx.progress(45, `deploying ${version} to ${env} (try ${ctx.attempt})`);
    await pause(50, ctx.signal);
    if (ctx.attempt <= failTimes) {
      ctx.log.warn("deploy failed", { attempt: ctx.attempt, failTimes });
      throw new Error(`deploy of ${version} to ${env} failed on try ${ctx.attempt} (simulated: fails the first ${failTimes} tries)`);
    }
    ctx.log.info("deployed", { version, env, attempt: ctx.attempt });
    ctx.setParam("deployedVersion", version);
    return { env, version, attempt: ctx.attempt };
  },

  /** Pretends to probe the service's health endpoint a few times. */
  async "health-check"(ctx) {
    const url = String(ctx.params.url ?? "http://localhost/healthz");
    for (let probe = 1; probe <= 3; probe++) {
      await pause(20, ctx.signal);
      ctx.heartbeat();
      ctx.log.debug("probe ok", { url, probe });
    }
    ctx.progress(90, "healthy");
    return { url, status: "healthy", probes: 3 };
  },

  /** Pretends to post a message to a chat channel; `fail: true` makes it fail (see skipOnFailed). */
  notify(ctx) {
    const channel = String(ctx.params.channel ?? "#general");
    const message = String(ctx.params.message ?? "");
    if (ctx.params.fail === true) throw new NonRetryableError(`chat service refused the message for ${channel} (simulated)`);
    ctx.log.info("notified", { channel, message });
    return { channel, message, delivered: true };
  },
};

/** Callbacks: called once when a task that names them ends (a throw never changes the task). */
export const callbacks = {
  report(ctx) {
    const how = ctx.error ? `: ${ctx.error}` : "";
    console.log(`[callback report] task ${ctx.task.id} (${ctx.task.type}) ended ${ctx.task.status}${how}`);
  },
};
