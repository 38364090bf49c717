// The API's error answer `{ error: { code, message, fields? } }` as a thrown value.
import type { FieldError } from "./types.js";

/** An HTTP answer that was not 2xx, or a request that never got one (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The message of the field at `path` (or under it, e.g. `schedule.cron` for `schedule`), if any. */
  fieldMessage(path: string): string | undefined {
    const hit = this.fields.find((f) => f.path === path || f.path.startsWith(`${path}.`) || f.path.startsWith(`${path}[`));
    return hit?.message;
  }
}

/** Builds an ApiError from a failed response, whatever its body holds. */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status text below.
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; fields?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? error.code : `HTTP_${response.status}`;
  const message = typeof error?.message === "string" ? error.message : `${response.status} ${response.statusText}`;
  const fields = Array.isArray(error?.fields)
    ? (error.fields as FieldError[]).filter((f) => typeof f?.path === "string" && typeof f?.message === "string")
    : [];
  return new ApiError(response.status, code, message, fields);
}
