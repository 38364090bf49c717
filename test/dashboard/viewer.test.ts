// A viewer token reads everything of its tenant and gets no action button anywhere; the API
// refuses its changes anyway.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkipReason, launchChromium } from "../support/chromium.js";
import { open, signIn } from "../support/dashboard-page.js";
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

test("a viewer token sees tasks and definitions but no action buttons, and the API refuses its changes", { skip }, async () => {
  // A failed task: the one state where an operator sees the most buttons (retry, retry from, skip).
  const task = await serve.api<{ id: string }>("POST", "/tasks", {
    type: "doomed",
    name: "doomed task",
    params: { fail: true },
    steps: [{ name: "tell", executor: "notify" }],
  });
  await serve.api("POST", "/definitions", {
    name: "nightly-cleanup",
    schedule: { cron: "0 3 * * *" },
    task: { type: "cleanup", steps: [{ name: "sweep", executor: "noop" }] },
  });
  const viewerToken = await serve.createToken("viewer", "default");

  // The same pages signed in as admin do show the buttons (so their absence below means something).
  const admin = await signIn(browser, serve.url, serve.adminToken);
  try {
    await open(admin.page, serve.url, `/tasks/${task.id}`);
    await admin.page.getByTestId("task-actions").getByRole("button", { name: /Retry/ }).first().waitFor({ timeout: 20_000 });
    await open(admin.page, serve.url, "/definitions/nightly-cleanup");
    await admin.page.getByTestId("definition-actions").getByRole("button", { name: "Trigger now" }).waitFor();
  } finally {
    await admin.context.close();
  }

  const { page, context } = await signIn(browser, serve.url, viewerToken);
  try {
    assert.match(await page.getByTestId("whoami").innerText(), /viewer/i);

    await page.getByRole("link", { name: "Tasks", exact: true }).click();
    await page.locator(`tr[data-task-id="${task.id}"] [data-status="failed"]`).waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId("bulk-actions").count(), 0, "bulk actions shown to a viewer");
    assert.equal(await page.locator('input[type="checkbox"]').count(), 0, "row selection shown to a viewer");

    await page.getByRole("link", { name: "doomed task" }).click();
    await page.getByTestId("task-detail").waitFor();
    await page.getByTestId("step-message").waitFor();
    assert.equal(await page.getByTestId("task-actions").count(), 0, "task actions shown to a viewer");
    assert.equal(await page.getByRole("button", { name: /cancel|retry|skip/i }).count(), 0);

    await page.getByRole("link", { name: "Definitions", exact: true }).click();
    await page.locator('tr[data-definition="nightly-cleanup"]').waitFor();
    assert.equal(await page.getByRole("link", { name: "New definition" }).count(), 0);
    assert.equal(await page.getByTestId("definition-actions").count(), 0);
    assert.equal(await page.getByRole("button").filter({ hasText: /trigger|enable|disable|delete/i }).count(), 0);
    await page.getByRole("link", { name: "nightly-cleanup" }).click();
    await page.getByTestId("next-fire-times").waitFor();
    assert.equal(await page.getByTestId("definition-actions").count(), 0);
    // Admin-only pages are not offered.
    assert.equal(await page.getByRole("link", { name: "Audit", exact: true }).count(), 0);

    const refused = await fetch(`${serve.url}/api/v1/tasks/${task.id}/retry`, {
      method: "POST",
      headers: { authorization: `Bearer ${viewerToken}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(refused.status, 403);
  } finally {
    await context.close();
  }
});
