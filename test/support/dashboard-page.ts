// Opens the dashboard in a fresh browser context and signs in with a token.
import type { Browser, BrowserContext, Page } from "playwright-core";

/** Desktop width the issue asks the pages to work at. */
export const DESKTOP = { width: 1280, height: 900 };

/** A signed-in page and its context (close the context when done). */
export interface SignedIn {
  context: BrowserContext;
  page: Page;
}

/** Loads `url`, signs in with `token` and waits for the signed-in layout. */
export async function signIn(browser: Browser, url: string, token: string, viewport = DESKTOP): Promise<SignedIn> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // A script error in the app fails the test that hits it, not a later assertion.
  const errors: Error[] = [];
  page.on("pageerror", (error) => errors.push(error));
  await page.goto(`${url}/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("whoami").waitFor();
  if (errors.length > 0) throw errors[0];
  return { context, page };
}

/** Goes to an in-app path the way a user would after landing: a full load of that URL. */
export async function open(page: Page, url: string, path: string): Promise<void> {
  await page.goto(`${url}${path}`);
}

/** Marks the page's JavaScript realm, to prove later that no reload happened. */
export async function markRealm(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { __taskrailRealm: boolean }).__taskrailRealm = true;
  });
}

/** True while the realm marked by markRealm is still the page's (no navigation reloaded it). */
export function realmSurvived(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as { __taskrailRealm?: boolean }).__taskrailRealm === true);
}
