// Request body formats of the API: JSON (an empty body allowed) and YAML (task and definition
// files are often YAML); anything else answers 415. Parse failures name the body.
import type { FastifyInstance } from "fastify";
import { parse as parseYaml } from "yaml";
import { ValidationError, errorMessage } from "../core/errors.js";

/** Content types read as YAML. */
export const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml"];

/** Replaces Fastify's body parsers with the API's. */
export function registerBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  // JSON bodies may be empty (POST /cancel from curl or fetch with a content type but no body).
  // Plain text is no body format of the API: it answers 415 instead of a confusing type error.
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new ValidationError([{ path: "body", message: `is not valid JSON: ${errorMessage(err)}` }], "invalid request"), undefined);
    }
  });
  // Task files are often YAML: the dispatch body may be too.
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string", bodyLimit }, (_req, body, done) => {
    try {
      done(null, String(body).trim() === "" ? undefined : parseYaml(String(body)));
    } catch (err) {
      done(new ValidationError([{ path: "body", message: `is not valid YAML: ${errorMessage(err)}` }], "invalid request"), undefined);
    }
  });
}
