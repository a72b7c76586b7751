import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it when missing. Never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM_REASON = `${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it)`;

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** What a page did that a self-contained report must never do. */
export interface PageWatch {
  readonly page: Page;
  readonly url: string;
  /** Console messages of type error, and uncaught exceptions. */
  readonly errors: string[];
  /** Every request other than the report file itself (each was aborted). */
  readonly requests: string[];
  /** alert/confirm/prompt dialogs that opened (an injected script would). */
  readonly dialogs: string[];
}

/** A fresh Chromium profile per call: nothing cached, nothing shared between tests. */
export async function openBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-browser-'));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    dir,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes the HTML to a file, opens it with every other request refused and recorded, and waits for the page script. */
export async function openReport(context: BrowserContext, dir: string, html: string, name = 'report.html'): Promise<PageWatch> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const watch: PageWatch = { page, url, errors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(`uncaught: ${e.message}`));
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.route('**/*', (route) => {
    const requested = route.request().url();
    if (requested === url) return route.continue();
    watch.requests.push(requested);
    return route.abort();
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  return watch;
}
