// Unit tests of the `http` executor against a real node:http server on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NonRetryableError, TaskrailError, ValidationError } from "../../src/core/errors.js";
import type { JsonObject } from "../../src/core/json.js";
import type { Executor } from "../../src/core/step-context.js";
import { createHttpExecutor, HttpStatusError } from "../../src/executors/http.js";
import { createFakeStepContext } from "../support/fake-step-context.js";

let server: Server;
let base: string;
/** Requests that reached /slow, so a test knows the request is in flight before aborting. */
let slowRequests = 0;

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

before(async () => {
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/json") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ id: 7, tags: ["a", "b"] }));
    } else if (url.pathname === "/text") {
      res.writeHead(200, { "content-type": "text/plain" }).end("hello there");
    } else if (url.pathname === "/echo") {
      const body = await readText(req);
      res.writeHead(201, { "content-type": "application/json" }).end(
        JSON.stringify({ method: req.method, contentType: req.headers["content-type"] ?? null, apiKey: req.headers["x-api-key"] ?? null, body }),
      );
    } else if (url.pathname.startsWith("/status/")) {
      res.writeHead(Number(url.pathname.slice("/status/".length)), { "content-type": "text/plain" }).end("status page");
    } else if (url.pathname === "/slow") {
      slowRequests += 1;
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial"); // headers and a first chunk, then nothing: the body never ends
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function run(executor: Executor, params: JsonObject, fake = createFakeStepContext({ params })): Promise<unknown> {
  return Promise.resolve().then(() => executor(fake.ctx));
}

test("a GET of a JSON resource returns the status, content-type and parsed body", async () => {
  const output = await run(createHttpExecutor(), { url: `${base}/json` });
  assert.deepEqual(output, { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: { id: 7, tags: ["a", "b"] } });
});

test("a non-JSON response body is returned as text", async () => {
  const output = await run(createHttpExecutor(), { url: `${base}/text` });
  assert.deepEqual(output, { status: 200, headers: { "content-type": "text/plain" }, body: "hello there" });
});

test("a text body longer than maxBodyBytes is cut at the limit", async () => {
  const output = (await run(createHttpExecutor({ maxBodyBytes: 5 }), { url: `${base}/text` })) as { body: unknown };
  assert.equal(output.body, "hello");
});

test("saveAs stores the response body as a task param", async () => {
  const fake = createFakeStepContext({ params: { url: `${base}/json`, saveAs: "customer" } });
  await run(createHttpExecutor(), fake.ctx.params, fake);
  assert.deepEqual(fake.setParams, [{ key: "customer", value: { id: 7, tags: ["a", "b"] } }]);
});

test("an object body is sent as JSON with content-type application/json", async () => {
  const output = (await run(createHttpExecutor(), {
    url: `${base}/echo`,
    method: "post",
    headers: { "x-api-key": "secret-key" },
    body: { name: "Ada", n: 1 },
  })) as { status: number; body: JsonObject };
  assert.equal(output.status, 201);
  assert.deepEqual(output.body, { method: "POST", contentType: "application/json", apiKey: "secret-key", body: '{"name":"Ada","n":1}' });
});

test("a string body and a given content-type are sent unchanged", async () => {
  const output = (await run(createHttpExecutor(), {
    url: `${base}/echo`,
    method: "PUT",
    headers: { "Content-Type": "text/csv" },
    body: "a,b\n1,2",
  })) as { body: JsonObject };
  assert.deepEqual(output.body, { method: "PUT", contentType: "text/csv", apiKey: null, body: "a,b\n1,2" });
});

test("a status outside 2xx throws a retryable HTTP_STATUS error naming status, method and url but no secrets", async () => {
  const params = { url: `${base}/status/503?token=hunter2`, headers: { authorization: "Bearer hunter2" } };
  await assert.rejects(run(createHttpExecutor(), params), (err: unknown) => {
    assert.ok(err instanceof HttpStatusError);
    assert.equal(err instanceof NonRetryableError, false);
    assert.equal(err.code, "HTTP_STATUS");
    assert.equal(err.status, 503);
    assert.equal(err.message, `http: GET ${base}/status/503?… answered 503`);
    assert.doesNotMatch(err.message, /hunter2/);
    return true;
  });
});

test("expectStatus accepts a 404 when the step asks for it", async () => {
  const output = (await run(createHttpExecutor(), { url: `${base}/status/404`, expectStatus: [200, 404] })) as { status: number; body: unknown };
  assert.equal(output.status, 404);
  assert.equal(output.body, "status page");
  await assert.rejects(run(createHttpExecutor(), { url: `${base}/json`, expectStatus: 404 }), { code: "HTTP_STATUS" });
});

test("aborting the step cancels a slow response and rejects with the signal's reason", async () => {
  const fake = createFakeStepContext({ params: { url: `${base}/slow` } });
  const before = slowRequests;
  const running = run(createHttpExecutor(), fake.ctx.params, fake);
  await new Promise<void>((resolve) => {
    const check = () => (slowRequests > before ? resolve() : setTimeout(check, 10));
    check();
  });
  const reason = new Error("cancel requested");
  fake.abort(reason);
  await assert.rejects(running, (err) => err === reason);
});

test("the timeout param ends a slow response with a retryable STEP_TIMEOUT error", async () => {
  await assert.rejects(run(createHttpExecutor(), { url: `${base}/slow`, timeout: "200ms" }), (err: unknown) => {
    assert.ok(err instanceof TaskrailError);
    assert.equal(err.code, "STEP_TIMEOUT");
    assert.equal(err.message, `http: GET ${base}/slow did not complete within 200ms`);
    return true;
  });
});

test("an unreachable server is a retryable EXECUTOR_FAILED error", async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(run(createHttpExecutor(), { url: `http://127.0.0.1:${port}/` }), (err: unknown) => {
    assert.ok(err instanceof TaskrailError);
    assert.equal(err.code, "EXECUTOR_FAILED");
    assert.match(err.message, /ECONNREFUSED/);
    return true;
  });
});

test("an invalid url or param is a NonRetryableError naming the field", async () => {
  const cases: Array<[JsonObject, RegExp]> = [
    [{}, /url: must be an absolute http:\/\/ or https:\/\/ URL/],
    [{ url: "not a url" }, /url: must be an absolute http/],
    [{ url: "ftp://example.com/file" }, /url: must be an absolute http/],
    [{ url: "http://user:pw@example.com/" }, /url: must not hold credentials/],
    [{ url: `${base}/json`, method: "GET", body: { a: 1 } }, /body: is not allowed with GET or HEAD/],
    [{ url: `${base}/json`, expectStatus: 99 }, /expectStatus: must be an HTTP status/],
    [{ url: `${base}/json`, headers: { "bad header": "x" } }, /headers: must hold valid header names and values/],
    [{ url: `${base}/json`, saveAs: "" }, /saveAs: must not be empty/],
  ];
  for (const [params, message] of cases) {
    await assert.rejects(run(createHttpExecutor(), params), (err: unknown) => {
      assert.ok(err instanceof NonRetryableError, `${JSON.stringify(params)} should be non-retryable`);
      assert.match(err.message, /^invalid http params: /);
      assert.match(err.message, message);
      return true;
    });
  }
});

test("bad executor options throw a ValidationError naming the option", () => {
  assert.throws(() => createHttpExecutor({ defaultTimeoutMs: 0 }), (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(err.fields.map((f) => f.path), ["http.defaultTimeoutMs"]);
    return true;
  });
});
