// Takes the README's dashboard screenshots (docs/images/*.png): starts a real `taskrail serve`
// on a temp store with the examples' executors, runs a realistic mix of tasks through it, and
// photographs the overview, a failed task's detail and the task list on a phone.
//   npm run screenshots
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { launchChromium } from "../test/support/chromium.js";
import { ROOT } from "../test/support/cli-runner.js";
import { open, signIn } from "../test/support/dashboard-page.js";
import { startServe } from "../test/support/serve-process.js";

interface TaskView {
  id: string;
  status: string;
}

const OUT = join(ROOT, "docs", "images");
const deploy = parse(readFileSync(join(ROOT, "examples", "deploy.task.yaml"), "utf8")) as { params: Record<string, unknown> };
const hello = parse(readFileSync(join(ROOT, "examples", "hello.task.yaml"), "utf8")) as Record<string, unknown>;

const serve = await startServe(["--concurrency", "4"]);
const browser = await launchChromium();
try {
  const dispatch = (body: unknown) => serve.api<TaskView>("POST", "/tasks", body);
  const deployTo = (env: string, extra: Record<string, unknown> = {}) =>
    dispatch({ ...deploy, name: `deploy shop to ${env}`, index: `shop-${env}-${Math.random().toString(36).slice(2, 6)}`, params: { ...deploy.params, env, ...extra } });

  const finished: TaskView[] = [];
  for (let i = 0; i < 12; i++) finished.push(await dispatch({ ...hello, index: `hello-${i}`, params: { a: i, b: i * 2 } }));
  finished.push(await deployTo("staging"));
  finished.push(await deployTo("qa", { failTimes: 0 }));
  const failed = await deployTo("production", { failTimes: 5 });
  finished.push(failed);
  finished.push(await dispatch({ ...hello, index: "hello-bad", name: "bad input", params: { a: "one", b: 2 } }));
  // Still to run when the pictures are taken: a long one and a scheduled one.
  await dispatch({ type: "report", name: "monthly report", steps: [{ name: "crunch", executor: "sleep", params: { ms: 60_000 } }] });
  await dispatch({ type: "report", name: "weekly digest", runAt: new Date(Date.now() + 3_600_000).toISOString(), steps: [{ name: "send", executor: "noop" }] });

  // Wait until every task meant to end has ended (deploys back off between tries).
  const deadline = Date.now() + 60_000;
  for (const task of finished) {
    while (["pending", "running"].includes((await serve.api<TaskView>("GET", `/tasks/${task.id}`)).status)) {
      if (Date.now() > deadline) throw new Error(`task ${task.id} did not end in time`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const { page, context } = await signIn(browser, serve.url, serve.adminToken, { width: 1280, height: 820 });
  await page.getByTestId("status-counts").waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(OUT, "dashboard-overview.png") });

  await open(page, serve.url, `/tasks/${failed.id}`);
  await page.getByTestId("task-log").waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(OUT, "dashboard-task-detail.png"), fullPage: true });
  await context.close();

  const phone = await signIn(browser, serve.url, serve.adminToken, { width: 390, height: 844 });
  await open(phone.page, serve.url, "/tasks");
  await phone.page.getByTestId("task-table").waitFor();
  await phone.page.waitForTimeout(500);
  await phone.page.screenshot({ path: join(OUT, "dashboard-tasks-phone.png") });
  await phone.context.close();
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await serve.stop();
}
