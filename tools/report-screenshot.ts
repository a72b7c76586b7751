/**
 * Takes docs/html-report.png, the README's picture of the HTML report: the samples' report (`npm run demo`
 * writes the same page) opened in Debian's Chromium: the card of the first incident tied to an aws-auth write.
 * Run `npm run report-screenshot` after changing the page; needs /usr/bin/chromium.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'docs', 'html-report.png');
const dir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-shot-'));
try {
  const html = execFileSync(process.execPath, [join(root, 'bin', 'eks-authz-audit.mjs'), 'scan', '--cluster', 'demo', '--format', 'html', join(root, 'samples')], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 1000 },
    deviceScaleFactor: 1,
  });
  try {
    const page = await context.newPage();
    await page.route('**/*', (route) => (route.request().url() === pathToFileURL(file).href ? route.continue() : route.abort()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]');
    // The first incident whose timeline marks the aws-auth write behind it: the card shows what the page adds over
    // the text report, the failures starting after the edit.
    const card = page.locator('article.incident:has(.markers li.cause)').first();
    if ((await card.count()) === 0) throw new Error('the samples\' report has no incident with a timeline and its aws-auth change: nothing to show');
    await card.screenshot({ path: out });
  } finally {
    await context.close();
  }
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
