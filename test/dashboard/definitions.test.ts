// Definitions in the dashboard: the API's validation message for a bad cron expression shows
// next to the cron field; once fixed, the definition is created, triggered, and its task shows
// in its history.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkipReason, launchChromium } from "../support/chromium.js";
import { signIn } from "../support/dashboard-page.js";
import { startServe, type ServeProcess } from "../support/serve-process.js";

const skip = browserSkipReason();
let serve: ServeProcess;
let browser: Browser;

before(async () => {
  if (skip) return;
  [serve, browser] = await Promise.all([startServe(), launchChromium()]);
});
after(async () => {
  await browser?.close();
  await serve?.stop();
});

const TEMPLATE = JSON.stringify({ type: "nightly-report", steps: [{ name: "sum", executor: "add", params: { a: 2, b: 3 } }] }, null, 2);

test("a bad cron expression is shown next to its field; fixed, the definition is created, triggered and its task appears", { skip }, async () => {
  const { page, context } = await signIn(browser, serve.url, serve.adminToken);
  try {
    await page.getByRole("link", { name: "Definitions", exact: true }).click();
    await page.getByText("No definitions yet").waitFor();
    await page.getByRole("link", { name: "New definition" }).click();

    await page.getByLabel("Name").fill("nightly-report");
    await page.getByLabel("Cron expression").fill("every night at 3");
    await page.getByLabel(/Task template/).fill(TEMPLATE);
    await page.getByRole("button", { name: "Create" }).click();

    const cronError = page.getByTestId("error-cron");
    await cronError.waitFor();
    assert.notEqual((await cronError.innerText()).trim(), "");
    // Only the cron field is marked, and nothing was created.
    assert.equal(await page.locator(".field-error").count(), 1);
    assert.equal(new URL(page.url()).pathname, "/definitions/new");
    const listed = await serve.api<{ items: unknown[] }>("GET", "/definitions");
    assert.equal(listed.items.length, 0);

    await page.getByLabel("Cron expression").fill("0 3 * * *");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByTestId("definition-detail").waitFor();
    assert.equal(new URL(page.url()).pathname, "/definitions/nightly-report");
    await page.getByTestId("next-fire-times").locator("li").first().waitFor();

    await page.getByTestId("trigger").click();
    const notice = page.getByTestId("triggered");
    await notice.waitFor();
    const taskId = (await notice.getByRole("link").innerText()).trim();
    const row = page.locator(`tr[data-task-id="${taskId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.locator('[data-status="succeeded"]').waitFor({ timeout: 20_000 });

    await row.getByRole("link").first().click();
    await page.getByTestId("task-detail").locator('h1 [data-status="succeeded"]').waitFor();
    assert.match(await page.getByTestId("task-detail").innerText(), /"sum": 5/);
  } finally {
    await context.close();
  }
});
