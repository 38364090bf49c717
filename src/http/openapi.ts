// The OpenAPI 3.1 document of the API, written from the route specs: inputs from the same zod
// schemas that validate requests (z.toJSONSchema), outputs from openapi-components.ts.
import { z, type ZodType } from "zod";
import type { RouteSpec } from "./route-spec.js";
import { RESPONSE_SCHEMAS } from "./openapi-components.js";

/** A path entry contributed by a plugin (SSE, metrics) that is not a RouteSpec. */
export interface ExtraOperation {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Fastify path syntax. */
  url: string;
  /** The OpenAPI operation object (operationId, summary, responses, …). */
  operation: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/** `/api/v1/tasks/:id` → `/api/v1/tasks/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/**
 * The JSON Schema of a zod input, its `$defs` moved to `components.schemas` under
 * `<name>_<def>` and its references rewritten to point there.
 */
function componentOf(schema: ZodType, name: string, components: Json): Json {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  delete json.$schema;
  const defs = (json.$defs ?? {}) as Record<string, Json>;
  delete json.$defs;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== "object") return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/") ? `#/components/schemas/${name}_${v.slice("#/$defs/".length)}` : rewrite(v);
    }
    return out;
  };
  for (const [def, body] of Object.entries(defs)) components[`${name}_${def}`] = rewrite(body);
  return rewrite(json) as Json;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const ERROR_RESPONSES: Json = {
  BadRequest: { description: "VALIDATION_FAILED: `fields` names each bad field", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  Unauthorized: { description: "UNAUTHORIZED: missing, malformed, unknown or revoked bearer token", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  Forbidden: { description: "FORBIDDEN: the token's role may not do this", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  NotFound: { description: "not found (or another tenant's: never revealed)", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  Conflict: { description: "INVALID_TRANSITION or DUPLICATE_TASK", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  Unavailable: { description: "STORE_UNAVAILABLE", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
};

/** Builds the document. */
export function buildOpenApiDocument(routes: readonly RouteSpec[], extras: readonly ExtraOperation[], info: { version: string }): Json {
  const schemas: Json = { ...RESPONSE_SCHEMAS };
  const paths: Record<string, Json> = {};
  const add = (method: string, url: string, operation: Json): void => {
    const path = openApiPath(url);
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = operation;
  };
  for (const r of routes) {
    const parameters: Json[] = [];
    if (r.params) {
      const p = componentOf(r.params, `${capitalized(r.operationId)}Path`, schemas);
      for (const [name, schema] of Object.entries((p.properties ?? {}) as Json)) parameters.push({ name, in: "path", required: true, schema });
    }
    if (r.query) {
      const q = componentOf(r.query, `${capitalized(r.operationId)}Query`, schemas);
      const required = new Set((q.required ?? []) as string[]);
      for (const [name, schema] of Object.entries((q.properties ?? {}) as Json)) {
        const isArray = (schema as Json).type === "array";
        parameters.push({ name, in: "query", required: required.has(name), schema, ...(isArray ? { style: "form", explode: true } : {}) });
      }
    }
    const responses: Json = {
      [String(r.successStatus ?? 200)]: {
        description: r.response.description,
        content: { [r.response.contentType ?? "application/json"]: { schema: r.response.schema ? responseSchema(r.response.schema, `${capitalized(r.operationId)}Response`, schemas) : {} } },
      },
    };
    if (r.params || r.query || r.body) responses["400"] = { $ref: "#/components/responses/BadRequest" };
    if (r.access !== "public") responses["401"] = { $ref: "#/components/responses/Unauthorized" };
    if (r.access === "operator" || r.access === "admin") responses["403"] = { $ref: "#/components/responses/Forbidden" };
    if (r.params) responses["404"] = { $ref: "#/components/responses/NotFound" };
    if (r.method !== "GET" && r.params) responses["409"] = { $ref: "#/components/responses/Conflict" };
    responses["503"] = { $ref: "#/components/responses/Unavailable" };
    const operation: Json = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      ...(r.description ? { description: r.description } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      responses,
      ...(r.access === "public" ? { security: [] } : {}),
      "x-taskrail-access": r.access,
      ...(r.audit ? { "x-taskrail-audit": r.audit } : {}),
    };
    if (r.body) {
      const name = `${capitalized(r.operationId)}Body`;
      schemas[name] = componentOf(r.body, name, schemas);
      operation.requestBody = { required: r.optionalBody !== true, content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } } };
    }
    add(r.method, r.url, operation);
  }
  for (const e of extras) add(e.method, e.url, e.operation);
  return {
    openapi: "3.1.0",
    info: {
      title: "taskrail API",
      version: info.version,
      description: "Durable task scheduling and step workflows. Send `Authorization: Bearer <token>` (from `taskrail token create`). Errors: `{ error: { code, message, fields? } }`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "a taskrail API token (trk_…)" } },
      responses: ERROR_RESPONSES,
      schemas,
    },
  };
}

function responseSchema(schema: ZodType | Json, name: string, schemas: Json): Json {
  if (schema instanceof z.ZodType) {
    schemas[name] = componentOf(schema, name, schemas);
    return { $ref: `#/components/schemas/${name}` };
  }
  return schema as Json;
}
