// The cursor of definition pages (shared by both adapters): the (tenant, name) of the last row.
import { ValidationError } from "../core/errors.js";

/** Encodes the position after `(tenant, name)`. */
export function encodeDefinitionCursor(tenant: string, name: string): string {
  return Buffer.from(JSON.stringify([tenant, name])).toString("base64url");
}

/** Decodes a cursor of `encodeDefinitionCursor`; ValidationError on `cursor` when malformed. */
export function decodeDefinitionCursor(cursor: string): { tenant: string; name: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      return { tenant: value[0], name: value[1] };
    }
  } catch {
    // reported below
  }
  throw new ValidationError([{ path: "cursor", message: "is not a cursor this list returned" }], "invalid definition query");
}
