// The tasks table follows a task from pending to succeeded without a reload, in real Chromium
// against a real `taskrail serve`.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkipReason, launchChromium } from "../support/chromium.js";
import { markRealm, realmSurvived, signIn } from "../support/dashboard-page.js";
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

test("sign in, dispatch a task through the API and watch it go from pending to succeeded in the table without reloading", { skip }, async () => {
  const { page, context } = await signIn(browser, serve.url, serve.adminToken);
  try {
    await page.getByRole("link", { name: "Tasks", exact: true }).click();
    await page.getByText("No tasks yet").waitFor();
    // The page follows the server's event stream (it says "polling" when it cannot).
    await page.locator(".live.on").waitFor();
    await markRealm(page);

    // runAt a few seconds ahead keeps the task pending long enough to be seen so.
    const runAt = new Date(Date.now() + 6000).toISOString();
    const task = await serve.api<{ id: string }>("POST", "/tasks", {
      type: "live-check",
      name: "watched from the dashboard",
      runAt,
      steps: [{ name: "pause", executor: "sleep", params: { ms: 300 } }],
    });
    const row = page.locator(`tr[data-task-id="${task.id}"]`);
    await row.locator('[data-status="pending"]').waitFor({ timeout: 15_000 });
    await row.locator('[data-status="succeeded"]').waitFor({ timeout: 20_000 });
    assert.equal(await realmSurvived(page), true, "the page was reloaded");
    assert.match(await row.innerText(), /watched from the dashboard/);
  } finally {
    await context.close();
  }
});

test("on a phone-sized screen the menu folds, and the overview, task list and task page fit the width", { skip }, async () => {
  const task = await serve.api<{ id: string }>("POST", "/tasks", {
    type: "phone-check",
    name: "seen on a phone",
    params: { a: 1, b: 2 },
    steps: [{ name: "sum", executor: "add" }],
  });
  const { page, context } = await signIn(browser, serve.url, serve.adminToken, { width: 390, height: 844 });
  try {
    const overflow = async () =>
      (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
    await page.getByTestId("status-counts").waitFor();
    assert.equal(await overflow(), 0, "the overview is wider than the screen");

    const tasksLink = page.getByRole("link", { name: "Tasks", exact: true });
    assert.equal(await tasksLink.isVisible(), false, "the navigation should fold into the menu");
    await page.getByRole("button", { name: "Menu" }).click();
    await tasksLink.click();
    const row = page.locator(`tr[data-task-id="${task.id}"]`);
    await row.locator('[data-status="succeeded"]').waitFor({ timeout: 20_000 });
    assert.equal(await overflow(), 0, "the task list is wider than the screen");

    await row.getByRole("link", { name: "seen on a phone" }).click();
    await page.getByTestId("step-timeline").waitFor();
    assert.equal(await overflow(), 0, "the task page is wider than the screen");
  } finally {
    await context.close();
  }
});
