// A `$ref` to one of the response schemas of the OpenAPI document (src/http/openapi-components.ts).

/** `{ $ref: "#/components/schemas/<name>" }`. */
export function ref(name: string): Record<string, unknown> {
  return { $ref: `#/components/schemas/${name}` };
}
