// The `http` built-in executor: one HTTP(S) request with global fetch; the response becomes the step output.
import { z } from "zod";
import { NonRetryableError, TaskrailError, ValidationError, errorMessage } from "../core/errors.js";
import type { JsonValue } from "../core/json.js";
import type { Executor, StepContext } from "../core/step-context.js";
import { durationSchema } from "../core/validation/task-spec.js";
import { fieldErrorsFromZod, parseOrThrow } from "../core/validation/zod-errors.js";

/** Options of the `http` executor (the `http` key of the runtime's executor options). */
export interface HttpExecutorOptions {
  /** Request timeout when the step's params name none (covers the whole body too). @default 30000 */
  defaultTimeoutMs?: number;
  /** Most response-body bytes read: text is cut there, larger JSON fails the step. @default 1048576 */
  maxBodyBytes?: number;
}

/** What the `http` executor returns. */
export interface HttpOutput {
  status: number;
  headers: { "content-type": string | null };
  /** Parsed JSON when the response says it is JSON, else text (cut at `maxBodyBytes`). */
  body: JsonValue;
}

/** The response status was not one the step expects; retryable (servers recover). */
export class HttpStatusError extends TaskrailError {
  constructor(readonly status: number, method: string, url: string) {
    super("HTTP_STATUS", `http: ${method} ${url} answered ${status}`);
  }
}

/** Longest delay one Node timer can hold. */
const MAX_TIMER_MS = 2_147_483_647;
const DEFAULTS = { defaultTimeoutMs: 30_000, maxBodyBytes: 1024 * 1024 } as const;

const optionsSchema = z.strictObject({
  defaultTimeoutMs: z.number().int("must be an integer").min(1, "must be >= 1").max(MAX_TIMER_MS).optional(),
  maxBodyBytes: z.number().int("must be an integer").min(0, "must be >= 0").optional(),
});

type ResolvedHttpOptions = Readonly<Required<HttpExecutorOptions>>;

const URL_MESSAGE = "must be an absolute http:// or https:// URL";
const STATUS_MESSAGE = "must be an HTTP status (an integer 100-599) or a non-empty array of them";
const statusSchema = z.number({ error: STATUS_MESSAGE }).int(STATUS_MESSAGE).min(100, STATUS_MESSAGE).max(599, STATUS_MESSAGE);

// Not strict: ctx.params is the task's params overlaid with the step's, so other keys are normal.
const paramsSchema = z
  .object({
    url: z
      .string({ error: URL_MESSAGE })
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), URL_MESSAGE)
      // fetch refuses such URLs; credentials belong in a header, where messages never show them.
      .refine((u) => !URL.canParse(u) || (new URL(u).username === "" && new URL(u).password === ""), "must not hold credentials (use an Authorization header)"),
    method: z
      .string({ error: "must be a string" })
      .regex(/^[A-Za-z]+$/, "must be an HTTP method such as GET or POST")
      .transform((m) => m.toUpperCase())
      .optional(),
    headers: z
      .record(z.string(), z.string({ error: "must be a string" }), { error: "must be an object of string values" })
      .refine(headersAreValid, "must hold valid header names and values")
      .optional(),
    body: z.json().optional(),
    expectStatus: z.union([statusSchema, z.array(statusSchema).min(1, STATUS_MESSAGE)], { error: STATUS_MESSAGE }).optional(),
    saveAs: z.string({ error: "must be a string" }).min(1, "must not be empty").optional(),
    timeout: durationSchema.refine((ms) => ms > 0 && ms <= MAX_TIMER_MS, `must be > 0 and at most ${MAX_TIMER_MS} ms`).optional(),
  })
  .refine((p) => p.body === undefined || p.body === null || !["GET", "HEAD"].includes(p.method ?? "GET"), {
    message: "is not allowed with GET or HEAD",
    path: ["body"],
  });

type HttpParams = z.output<typeof paramsSchema>;

function headersAreValid(headers: Record<string, string>): boolean {
  try {
    new Headers(headers);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the `http` executor. Params: `{ url, method?, headers?, body?, expectStatus?, saveAs?, timeout? }`.
 *
 * - `method` defaults to GET. A string `body` is sent as is; any other JSON value (`null` means
 *   no body) is sent as JSON with `content-type: application/json` unless a content-type header is given.
 * - The request (body included) is cut off by `ctx.signal` (rejects with its reason) or by
 *   `timeout` / `defaultTimeoutMs` (rejects with a retryable `STEP_TIMEOUT` error).
 * - A status outside `expectStatus` (default: any 2xx) throws a retryable {@link HttpStatusError}.
 * - Output `{ status, headers: { "content-type" }, body }`; `saveAs` also stores `body` as that
 *   task param for later steps.
 *
 * Messages name the method and the URL without its query string or credentials, and never
 * header values: any of them may hold secrets. Bad params throw a NonRetryableError.
 */
export function createHttpExecutor(options: HttpExecutorOptions = {}): Executor {
  const o = parseOrThrow(optionsSchema, options, "invalid http executor options", "http");
  const resolved: ResolvedHttpOptions = Object.freeze({
    defaultTimeoutMs: o.defaultTimeoutMs ?? DEFAULTS.defaultTimeoutMs,
    maxBodyBytes: o.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
  });
  return (ctx: StepContext) => runHttp(ctx, resolved);
}

async function runHttp(ctx: StepContext, options: ResolvedHttpOptions): Promise<HttpOutput> {
  const params = parseParams(ctx.params);
  const method = params.method ?? "GET";
  const timeoutMs = params.timeout ?? options.defaultTimeoutMs;
  const target = `${method} ${redactUrl(params.url)}`;
  if (ctx.signal.aborted) throw ctx.signal.reason;

  const headers = new Headers(params.headers);
  let body: string | undefined;
  if (typeof params.body === "string") body = params.body;
  else if (params.body !== undefined && params.body !== null) {
    body = JSON.stringify(params.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }

  const timeoutSignal = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([ctx.signal, timeoutSignal]);
  // Every await below reads from the network, so a failure there is mapped the same way.
  const failure = (err: unknown): unknown => {
    if (ctx.signal.aborted) return ctx.signal.reason;
    if (timeoutSignal.aborted) return new TaskrailError("STEP_TIMEOUT", `http: ${target} did not complete within ${timeoutMs}ms`, { cause: err });
    if (err instanceof TaskrailError) return err;
    const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    return new TaskrailError("EXECUTOR_FAILED", `http: ${target} failed: ${typeof code === "string" ? code : errorMessage(err)}`, { cause: err });
  };

  try {
    const response = await fetch(params.url, { method, headers, body, signal });
    if (!statusExpected(response.status, params.expectStatus)) {
      // Release the connection; the body may be large and is never shown (it may hold secrets).
      await response.body?.cancel().catch(() => undefined);
      throw new HttpStatusError(response.status, method, redactUrl(params.url));
    }
    const contentType = response.headers.get("content-type");
    const responseBody = await readBody(response, contentType, options.maxBodyBytes, target);
    if (params.saveAs !== undefined) ctx.setParam(params.saveAs, responseBody);
    return { status: response.status, headers: { "content-type": contentType }, body: responseBody };
  } catch (err) {
    throw failure(err);
  }
}

function parseParams(input: unknown): HttpParams {
  const parsed = paramsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = new ValidationError(fieldErrorsFromZod(parsed.error));
  throw new NonRetryableError(`invalid http params: ${details.message}`, { cause: details });
}

function statusExpected(status: number, expect: number | number[] | undefined): boolean {
  if (expect === undefined) return status >= 200 && status <= 299;
  return Array.isArray(expect) ? expect.includes(status) : status === expect;
}

/** The URL without credentials, query or fragment: safe to put in a step message. */
function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}${u.search ? "?…" : ""}`;
}

function isJsonContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

async function readBody(response: Response, contentType: string | null, maxBytes: number, target: string): Promise<JsonValue> {
  const { bytes, truncated } = await readBytes(response, maxBytes);
  if (!isJsonContentType(contentType)) {
    // stream: true leaves out a character cut in half at the limit instead of a U+FFFD.
    return new TextDecoder().decode(bytes, { stream: truncated });
  }
  if (truncated) {
    throw new NonRetryableError(`http: ${target} returned a JSON body larger than maxBodyBytes (${maxBytes})`);
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return null; // e.g. 204 No Content that still names a JSON type
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new TaskrailError("EXECUTOR_FAILED", `http: ${target} returned invalid JSON: ${errorMessage(err)}`, { cause: err });
  }
}

/** Reads at most `maxBytes` of the body, cancelling the rest so a huge body is never buffered. */
async function readBytes(response: Response, maxBytes: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      size = maxBytes;
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, truncated };
}
