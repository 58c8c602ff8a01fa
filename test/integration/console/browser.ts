// Debian's chromium, headless, driven by playwright-core (no browser download): the path comes
// from STACKD_CHROMIUM or the usual Debian/Ubuntu names (hack/install-deps.sh installs it).
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export function chromiumPath(): string {
  const candidates = [process.env.STACKD_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no chromium at ${candidates.join(', ')}: run hack/install-deps.sh or set STACKD_CHROMIUM`);
  return found;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}

/** A new page whose script errors are collected (the caller checks them); refusals (401/403)
 *  are what some tests look for, and chromium drops open requests when the network changes. */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // a refused action (401/403) is logged by chromium as a failed resource: the test checks it.
    // ERR_NETWORK_CHANGED: chromium drops open requests when a network interface appears (Docker
    // making a container's veth); the EventSource reconnects and gets a fresh snapshot
    if (msg.type() === 'error' && !/status of 40[13]|ERR_NETWORK_CHANGED/.test(msg.text())) errors.push(msg.text());
  });
  return { page, errors };
}

/** A page on the console, once its live feed is connected. */
export async function openConsole(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await newPage(browser);
  await page.goto(url);
  await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
  return { page, errors };
}

/** Logs in at the header's form; the page reloads with the token's cookie and goes live again. */
export async function logIn(page: Page, token: string): Promise<void> {
  await page.getByPlaceholder('API token').fill(token);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'log in' }).click()]);
  await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
}
