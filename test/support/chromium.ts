// Headless Chromium for the dashboard tests: Debian's `chromium` package driven by playwright-core.
// Outside CI a missing browser skips the tests with a message; with CI=true it fails them.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's chromium package puts the browser (`TASKRAIL_CHROMIUM` overrides it). */
export const CHROMIUM_PATH = process.env.TASKRAIL_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/**
 * Why the browser tests cannot run here (a string for node:test's `skip`), or false when they
 * can. With CI=true a missing browser throws instead: CI must never pass by skipping them.
 */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  const reason = `Chromium not found at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" to run the dashboard tests`;
  if (process.env.CI === "true") throw new Error(`${reason} (CI=true: the dashboard tests must run)`);
  return reason;
}

/** Starts headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}
