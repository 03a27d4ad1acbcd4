import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/**
 * The browser tests' one way to a browser: Debian's chromium (`apt-get install chromium`; .ci/run
 * installs it when missing) driven by playwright-core, headless, with nothing of its own reaching the
 * network. Pages open at a fixed 1280x900 viewport, so the screenshots in docs/screenshots/ (which the
 * README shows) look the same from run to run.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const VIEWPORT = { width: 1280, height: 900 };
export const SCREENSHOTS = join(import.meta.dirname, "..", "..", "docs", "screenshots");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface PageUnderTest {
  context: BrowserContext;
  page: Page;
  /** What went wrong inside the page: uncaught errors and console errors (a failed live socket is not one). */
  problems: string[];
}

/**
 * A fresh browser context (its own sessionStorage and localStorage: a new person) with one page on
 * `baseUrl`. Errors the page throws or logs are collected, so a test can say the page ran clean.
 */
export async function openPage(browser: Browser, baseUrl: string): Promise<PageUnderTest> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT, locale: "en-GB" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // A WebSocket that cannot connect is logged by the browser itself; the page reconnects.
    if (message.type() === "error" && !/WebSocket/i.test(message.text())) problems.push(message.text());
  });
  return { context, page, problems };
}

/**
 * Signs in through the demo sign-in form every page has (app.js), as `role`, and waits until the page
 * says who is signed in. Signing in as the page's own role stays on the page.
 */
export async function signInThroughPage(page: Page, name: string, role: "customer" | "staff" | "operator") {
  const form = page.locator("form.sign-in");
  await form.locator("input[name=name]").fill(name);
  await form.locator("select[name=role]").selectOption(role);
  await form.locator("button[type=submit]").click();
  await page.locator(".signed-in[data-signed-in]").waitFor();
  return (await page.locator(".signed-in[data-signed-in]").getAttribute("data-signed-in"))!;
}

/** Saves the whole page as docs/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // From the top: a full-page shot of a page scrolled down draws its sticky header part way down.
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: "disabled" });
}
