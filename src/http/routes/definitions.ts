// `/api/v1/definitions`: create, apply, list, get, update, delete, enable, disable, trigger
// (dispatch from a definition) and history — also under the seeds' `/api/v1/tasks/definitions`.
import { definitionSpecSchema } from "../../core/validation/definition-spec.js";
import { definitionQuerySchema } from "../../core/validation/definition-query.js";
import { taskQuerySchema } from "../../core/validation/task-query.js";
import { definitionNameParamsSchema } from "../../core/validation/server-inputs.js";
import { defineRoute, type RouteSpec } from "../route-spec.js";
import { ref } from "../openapi-refs.js";
import { taskJson, taskPageJson } from "../task-json.js";

const TAG = "definitions";

/** The definition routes under `base`; `opSuffix` keeps operationIds unique for the alias. */
export function definitionRoutes(base: string, opSuffix: string): RouteSpec[] {
  const alias = opSuffix !== "" ? " (alias of the same route under /api/v1/definitions)" : "";
  const named = `${base}/:name`;
  return [
    defineRoute({
      method: "GET",
      url: base,
      operationId: `listDefinitions${opSuffix}`,
      summary: `List definitions by name${alias}`,
      tag: TAG,
      access: "viewer",
      query: definitionQuerySchema,
      response: { description: "a page of definitions", schema: ref("DefinitionPage") },
      handler: ({ client, query }) => client.listDefinitions(query),
    }),
    defineRoute({
      method: "POST",
      url: base,
      operationId: `createDefinition${opSuffix}`,
      summary: `Create a definition (409 DEFINITION_EXISTS when the name is taken)${alias}`,
      description: "The body is a definition file (DESIGN §8): `{ name, description?, enabled?, tenant?, schedule?, task }`; `tenant` is for admin tokens only.",
      tag: TAG,
      access: "operator",
      body: definitionSpecSchema,
      bodyValidatedByHandler: true,
      audit: "definition.create",
      successStatus: 201,
      response: { description: "the definition", schema: ref("Definition") },
      handler: async ({ client, body, setAuditTarget }) => {
        const def = await client.createDefinition(body as never);
        setAuditTarget(def.name);
        return def;
      },
    }),
    defineRoute({
      method: "PUT",
      url: base,
      operationId: `applyDefinition${opSuffix}`,
      summary: `Create or update the definition named in the body (what \`defs apply -f\` does)${alias}`,
      tag: TAG,
      access: "operator",
      body: definitionSpecSchema,
      bodyValidatedByHandler: true,
      audit: "definition.apply",
      response: { description: "the definition and what was done", schema: ref("ApplyDefinitionResult") },
      handler: async ({ client, body, setAuditTarget }) => {
        const result = await client.applyDefinition(body as never);
        setAuditTarget(result.definition.name);
        return result;
      },
    }),
    defineRoute({
      method: "GET",
      url: named,
      operationId: `getDefinition${opSuffix}`,
      summary: `Get a definition with its next fire times and recent skips${alias}`,
      tag: TAG,
      access: "viewer",
      params: definitionNameParamsSchema,
      response: { description: "the definition", schema: ref("DefinitionDetails") },
      handler: ({ client, params }) => client.getDefinition(params.name),
    }),
    defineRoute({
      method: "PUT",
      url: named,
      operationId: `updateDefinition${opSuffix}`,
      summary: `Replace a definition (the body's name must be the path's)${alias}`,
      tag: TAG,
      access: "operator",
      params: definitionNameParamsSchema,
      body: definitionSpecSchema,
      bodyValidatedByHandler: true,
      audit: "definition.update",
      response: { description: "the definition", schema: ref("Definition") },
      handler: ({ client, params, body }) => client.updateDefinition(params.name, body as never),
    }),
    defineRoute({
      method: "DELETE",
      url: named,
      operationId: `deleteDefinition${opSuffix}`,
      summary: `Delete a definition (the tasks it made stay; tasks fired ahead whose time has not come are withdrawn)${alias}`,
      tag: TAG,
      access: "operator",
      params: definitionNameParamsSchema,
      audit: "definition.delete",
      response: { description: "deleted", schema: { type: "object", properties: { deleted: { const: true }, name: { type: "string" } }, required: ["deleted", "name"] } },
      handler: async ({ client, params }) => {
        await client.deleteDefinition(params.name);
        return { deleted: true, name: params.name };
      },
    }),
    defineRoute({
      method: "POST",
      url: `${named}/enable`,
      operationId: `enableDefinition${opSuffix}`,
      summary: `Enable a definition${alias}`,
      tag: TAG,
      access: "operator",
      params: definitionNameParamsSchema,
      audit: "definition.enable",
      response: { description: "the definition", schema: ref("Definition") },
      handler: ({ client, params }) => client.enableDefinition(params.name),
    }),
    defineRoute({
      method: "POST",
      url: `${named}/disable`,
      operationId: `disableDefinition${opSuffix}`,
      summary: `Disable a definition (tasks fired ahead whose time has not come are withdrawn)${alias}`,
      tag: TAG,
      access: "operator",
      params: definitionNameParamsSchema,
      audit: "definition.disable",
      response: { description: "the definition", schema: ref("Definition") },
      handler: ({ client, params }) => client.disableDefinition(params.name),
    }),
    defineRoute({
      method: "POST",
      url: `${named}/trigger`,
      operationId: `triggerDefinition${opSuffix}`,
      summary: `Dispatch a task from a definition now, whatever its schedule${alias}`,
      tag: TAG,
      access: "operator",
      params: definitionNameParamsSchema,
      audit: "definition.trigger",
      successStatus: 201,
      response: { description: "the task", schema: ref("Task") },
      handler: async ({ client, params }) => taskJson(await client.triggerDefinition(params.name)),
    }),
    defineRoute({
      method: "GET",
      url: `${named}/history`,
      operationId: `definitionHistory${opSuffix}`,
      summary: `The tasks a definition made, newest first (task list filters and paging)${alias}`,
      tag: TAG,
      access: "viewer",
      params: definitionNameParamsSchema,
      query: taskQuerySchema,
      response: { description: "a page of tasks", schema: ref("TaskPage") },
      handler: async ({ client, params, query }) => taskPageJson(await client.definitionHistory(params.name, query)),
    }),
  ];
}
