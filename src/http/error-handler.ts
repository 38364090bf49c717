// Every failing request answers `{ error: { code, message, fields? } }` with the status of its
// code (error-status.ts); Fastify's own refusals (body too large, unsupported media type) keep
// their status under VALIDATION_FAILED; anything else is a logged 500 INTERNAL.
import type { FastifyError, FastifyInstance } from "fastify";
import { TaskrailError, errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { errorResponse, INTERNAL_CODE } from "./error-status.js";

/** Installs the API's error handler; it records the code on the request for the audit entry. */
export function registerErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err: FastifyError | TaskrailError | Error, request, reply) => {
    if (err instanceof TaskrailError) {
      const { status, body } = errorResponse(err);
      request.errorCode = err.code;
      return reply.code(status).send(body);
    }
    const status = (err as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own refusals: body too large, unsupported media type, malformed request.
      request.errorCode = "VALIDATION_FAILED";
      const message =
        (err as FastifyError).code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
          ? `content-type "${request.headers["content-type"] ?? ""}" is not accepted: send application/json (or application/yaml for task and definition files)`
          : err.message;
      return reply.code(status).send({ error: { code: "VALIDATION_FAILED", message, fields: [{ path: "body", message }] } });
    }
    request.errorCode = INTERNAL_CODE;
    logger.error({ err: errorMessage(err), method: request.method, url: request.url }, "request failed");
    return reply.code(500).send({ error: { code: INTERNAL_CODE, message: "internal error (see the server log)" } });
  });
}
