// A failing task in the dashboard: its detail shows the failed step's message, and retrying
// from that step (once what it calls has recovered) makes it succeed; the param that step then
// writes shows in its "after" params, highlighted, and in the next step's "before".
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkipReason, launchChromium } from "../support/chromium.js";
import { signIn } from "../support/dashboard-page.js";
import { startServe, type ServeProcess } from "../support/serve-process.js";

const skip = browserSkipReason();
let serve: ServeProcess;
let browser: Browser;
let upstream: Server;
let upstreamHealthy = false;

before(async () => {
  if (skip) return;
  // What the task's http step calls: 503 until the test says it recovered.
  upstream = createServer((_req, res) => {
    res.writeHead(upstreamHealthy ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ healthy: upstreamHealthy }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  [serve, browser] = await Promise.all([startServe(), launchChromium()]);
});
after(async () => {
  await browser?.close();
  await serve?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
});

test("a failed task shows its failed step's message, and retry from that step makes it succeed", { skip }, async () => {
  const { port } = upstream.address() as AddressInfo;
  const task = await serve.api<{ id: string }>("POST", "/tasks", {
    type: "sync-orders",
    name: "sync orders",
    params: { region: "eu" },
    steps: [
      { name: "prepare", executor: "noop" },
      { name: "call-upstream", executor: "http", params: { url: `http://127.0.0.1:${port}/orders`, expectStatus: 200, saveAs: "upstream" } },
      { name: "finish", executor: "noop" },
    ],
  });
  const { page, context } = await signIn(browser, serve.url, serve.adminToken);
  try {
    await page.getByRole("link", { name: "Tasks", exact: true }).click();
    const row = page.locator(`tr[data-task-id="${task.id}"]`);
    await row.locator('[data-status="failed"]').waitFor({ timeout: 20_000 });
    await row.getByRole("link", { name: "sync orders" }).click();

    const failedStep = page.locator('[data-step="call-upstream"]');
    await failedStep.locator('[data-status="failed"]').first().waitFor();
    assert.match(await failedStep.getByTestId("step-message").innerText(), /answered 503/);
    // The steps before it succeeded, the ones after never started.
    await page.locator('[data-step="prepare"] [data-status="succeeded"]').waitFor();
    await page.locator('[data-step="finish"] [data-status="pending"]').waitFor();

    upstreamHealthy = true;
    await page.getByLabel("retry from step").selectOption("call-upstream");
    await page.getByTestId("retry-from").click();

    await page.getByTestId("task-detail").locator('h1 [data-status="succeeded"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-step="call-upstream"] [data-status="succeeded"]').waitFor();
    await page.locator('[data-step="finish"] [data-status="succeeded"]').waitFor();

    // The param the retried step wrote: set (highlighted) in its "after", absent from its
    // "before", and handed on to the next step's "before".
    const called = page.locator('[data-step="call-upstream"]');
    await called.locator("summary").click();
    const setRow = called.getByTestId("params-after").locator('tr[data-key="upstream"]');
    assert.equal(await setRow.getAttribute("data-set"), "true");
    assert.equal(await setRow.locator("td").innerText(), JSON.stringify({ healthy: true }));
    assert.equal(await called.getByTestId("params-after").locator('tr[data-key="region"]').getAttribute("data-set"), null);
    assert.equal(await called.getByTestId("params-before").locator('tr[data-key="upstream"]').count(), 0);
    assert.equal(await called.getByTestId("params-before").locator('tr[data-key="region"] td').innerText(), '"eu"');
    const finish = page.locator('[data-step="finish"]');
    await finish.locator("summary").click();
    assert.equal(await finish.getByTestId("params-before").locator('tr[data-key="upstream"] td').innerText(), JSON.stringify({ healthy: true }));

    const detail = await serve.api<{ status: string; retryCount: number }>("GET", `/tasks/${task.id}`);
    assert.equal(detail.status, "succeeded");
    assert.equal(detail.retryCount, 1);
  } finally {
    await context.close();
  }
});
