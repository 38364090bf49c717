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

test("a definition is disabled, enabled, edited and deleted from its page, and the API agrees at each step", { skip }, async () => {
  await serve.api("POST", "/definitions", { name: "hourly-sync", schedule: { cron: "0 * * * *" }, task: JSON.parse(TEMPLATE) });
  const { page, context } = await signIn(browser, serve.url, serve.adminToken);
  type Def = { enabled: boolean; spec: { schedule: { cron: string } }; nextFireAt: string | null };
  const read = () => serve.api<Def>("GET", "/definitions/hourly-sync");
  try {
    await page.goto(`${serve.url}/definitions/hourly-sync`);
    const detail = page.getByTestId("definition-detail");
    await detail.waitFor();
    await page.getByTestId("next-fire-times").locator("li").first().waitFor();

    // Disable: the badge appears, the next fire times go, and the API says disabled.
    await page.getByTestId("disable").click();
    await detail.locator("h1 .badge", { hasText: "disabled" }).waitFor();
    await page.getByTestId("enable").waitFor();
    assert.equal(await page.getByTestId("next-fire-times").count(), 0);
    assert.equal((await read()).enabled, false);

    // Enable again.
    await page.getByTestId("enable").click();
    await page.getByTestId("disable").waitFor();
    await page.getByTestId("next-fire-times").locator("li").first().waitFor();
    assert.equal((await read()).enabled, true);

    // Edit the cron expression: the form comes filled in; saving shows the new schedule.
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    const cron = page.getByLabel("Cron expression");
    await cron.waitFor();
    assert.equal(await cron.inputValue(), "0 * * * *");
    await cron.fill("30 2 * * *");
    await page.getByRole("button", { name: "Save" }).click();
    await detail.waitFor();
    await detail.getByText("30 2 * * *").first().waitFor();
    const edited = await read();
    assert.equal(edited.spec.schedule.cron, "30 2 * * *");
    assert.match(edited.nextFireAt ?? "", /T02:30:00/);

    // Delete asks for a second click, then lands on the list without it.
    await page.getByTestId("delete").click();
    await page.getByTestId("delete").filter({ hasText: "Confirm?" }).waitFor();
    const names = async () => (await serve.api<{ items: { name: string }[] }>("GET", "/definitions")).items.map((d) => d.name);
    assert.ok((await names()).includes("hourly-sync"), "not deleted on the first click");
    await page.getByTestId("delete").click();
    await page.waitForURL((url) => url.pathname === "/definitions");
    await page.getByRole("heading", { name: "Definitions" }).waitFor();
    assert.equal(await page.locator('tr[data-definition="hourly-sync"]').count(), 0);
    assert.ok(!(await names()).includes("hourly-sync"));
  } finally {
    await context.close();
  }
});
