/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core): the samples' report draws its
 * incident cards and timelines with no console error and no request beyond the file itself, and hostile log text
 * stays text. Skipped, saying why, where Chromium is not installed.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { Engine } from '../../lambda/engine/engine';
import { RULES } from '../../lambda/rules/registry';
import { readInputs } from '../../lambda/scan/index';
import type { ScanResult } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';
import { loadHtmlAssets } from '../../lambda/report/html-assets';
import { renderHtml } from '../../lambda/report/html';
import { HAVE_CHROMIUM, NO_CHROMIUM_REASON, openBrowser, openReport } from './chromium';
import { hostileInput, incidentsFor } from './report-inputs';

interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

const SAMPLES = resolve(import.meta.dirname, '..', '..', 'samples');

async function scan(paths: string[]): Promise<ScanResult> {
  const engine = new Engine(RULES, { cluster: 'demo', timelines: true });
  await readInputs(paths, engine);
  return engine.finish();
}

function page(result: ScanResult, incidents: Incident[]): string {
  return renderHtml(
    {
      cluster: 'demo', source: 'scan of samples', generatedAt: '2026-11-27T12:00:00.000Z', findings: result.findings,
      incidents, ...(result.timelines ? { timelines: result.timelines } : {}), stats: result.stats, notes: [],
    },
    loadHtmlAssets(),
  );
}

describe.skipIf(!HAVE_CHROMIUM)(`HTML report in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${NO_CHROMIUM_REASON})`}`, () => {
  let browser: { context: BrowserContext; close: () => Promise<void>; dir: string };

  beforeAll(async () => {
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('draws the samples: one card per incident, a drawn timeline with its aws-auth marker, the findings table', async () => {
    // Prepare
    const result = await scan([SAMPLES]);
    const incidents = incidentsFor(result);
    expect(incidents.length).toBeGreaterThan(1);
    // Act
    const watch = await openReport(browser.context, browser.dir, page(result, incidents));
    // Assess
    const p = watch.page;
    expect(await p.locator('article.incident').count()).toBe(incidents.length);
    const withChart = incidents.filter((i) => i.firstSeen !== null).length;
    expect(await p.locator('article.incident .chart canvas').count()).toBeGreaterThanOrEqual(withChart);
    // The canvas of the batch-role incident is drawn: its lines, and the red dashed marker of the 10:10 write.
    const batch = incidents.find((i) => i.cause.roleArn?.includes('eks-ng-batch'))!;
    const pixels = await p.locator(`#incident-${batch.id} canvas`).first().evaluate((node) => {
      // The test runs without the DOM types: the canvas as far as this test uses it.
      const canvas = node as unknown as Canvas;
      const ctx = canvas.getContext('2d');
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      let marker = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0) painted++;
        if (data[i]! > 170 && data[i]! < 220 && data[i + 1]! < 70 && data[i + 2]! < 70 && data[i + 3]! > 200) marker++;
      }
      return { painted, marker };
    });
    expect(pixels.painted).toBeGreaterThan(1000);
    expect(pixels.marker).toBeGreaterThan(50);
    await expect.poll(() => p.locator(`#incident-${batch.id} .markers li.cause`).count()).toBe(1);
    expect(await p.locator('#findings-body tr.row').count()).toBe(result.findings.length);
    expect(watch.errors).toEqual([]);
    expect(watch.requests).toEqual([]);
  });

  it('filters the findings table by severity, by rule and by incident', async () => {
    // Prepare
    const result = await scan([SAMPLES]);
    const incidents = incidentsFor(result);
    const watch = await openReport(browser.context, browser.dir, page(result, incidents), 'filters.html');
    const p = watch.page;
    const visible = () => p.locator('#findings-body tr.row:visible').count();
    // Act + Assess: a rule
    await p.selectOption('#rule-filter', 'node-lease-forbidden');
    expect(await visible()).toBe(result.findings.filter((f) => f.ruleId === 'node-lease-forbidden').length);
    await p.selectOption('#rule-filter', '');
    // a severity unticked
    await p.locator('input[name=severity][value=info]').uncheck();
    expect(await visible()).toBe(result.findings.filter((f) => f.severity !== 'info').length);
    await p.locator('input[name=severity][value=info]').check();
    // an incident's own findings, from its card
    const batch = incidents.find((i) => i.cause.roleArn?.includes('eks-ng-batch'))!;
    await p.locator(`#incident-${batch.id} button.link`).click();
    expect(await visible()).toBe(batch.findings.length);
    expect(watch.errors).toEqual([]);
  });

  it('shows hostile usernames, node names and aws-auth content as text: no element, no script, no dialog', async () => {
    // Prepare
    const input = hostileInput();
    const result = await scan([input.path]);
    const incidents = incidentsFor(result);
    expect(result.findings.length).toBeGreaterThan(0);
    // Act
    const watch = await openReport(browser.context, browser.dir, page(result, incidents), 'hostile.html');
    // Assess
    const p = watch.page;
    expect(await p.locator('body img').count()).toBe(0);
    expect(await p.locator('body script').count()).toBe(3);
    expect(await p.evaluate(() => (globalThis as { pwned?: boolean }).pwned)).toBeUndefined();
    const text = await p.locator('body').innerText();
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('<img src=x onerror=');
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    expect(watch.requests).toEqual([]);
    input.remove();
  });

  it('runs no inline script that its Content-Security-Policy does not list (one slipped into the page is refused)', async () => {
    // Prepare: the report with a script element added after rendering, as markup smuggled past the escaping would be.
    const result = await scan([resolve(SAMPLES, 'healthy')]);
    const html = page(result, incidentsFor(result)).replace('</body>', '<script>window.pwned = true;</script></body>');
    // Act
    const watch = await openReport(browser.context, browser.dir, html, 'csp.html');
    // Assess
    expect(await watch.page.evaluate(() => (globalThis as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(watch.errors.some((e) => /Content Security Policy/.test(e))).toBe(true);
  });
});
