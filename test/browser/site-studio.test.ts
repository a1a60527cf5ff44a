import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { siteAssetId, type Job, type V0SiteManifest } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { openPage, shoot, tileOf } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';

/*
 * The site studio in Chromium against the v0 fake: a site opens big through the preview origin, design
 * mode selects the heading, its text is edited live, Apply sends one follow-up, and the new version's
 * preview shows the change; versions compare, and the version deploys.
 */

let stack: Stack;
let browser: Browser;
let v0: FakeV0;
let assetId: string;

async function finished(id: string): Promise<Job> {
  return waitFor(
    async () => {
      const job = (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job;
      return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : null;
    },
    30000,
    `job ${id}`,
  );
}

beforeAll(async () => {
  v0 = await startFakeV0({ pendingPolls: 1 });
  stack = await startStack('browser-site-studio', { backends: 1, env: { V0_API_KEY: v0.apiKey, V0_API_URL: v0.url } });
  browser = await launchChromium();
  const res = await fetch(`${stack.url}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'v0', kind: 'site', prompt: 'A bakery in Lisbon with fresh bread every morning' }),
  });
  const job = await finished(((await res.json()) as { id: string }).id);
  expect(job.status).toBe('completed');
  assetId = job.assets![0]!.id;
}, 60000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await v0?.close();
});

describe('site studio, driven in Chromium', () => {
  it('opens a site big, edits its heading in design mode, applies it, and shows the new version', { timeout: 90000 }, async () => {
    const { page, errors } = await openPage(browser, stack.url);
    const tile = tileOf(page, assetId);
    await tile.waitFor({ timeout: 20000 });
    // The tile shows v0's screenshot (the fake gives every version a screenshotUrl).
    await waitFor(async () => (await tile.locator('img').getAttribute('data-state')) === 'loaded', 15000, 'the screenshot tile');
    await tile.dblclick();

    const studio = page.getByTestId('site-studio');
    await studio.waitFor({ timeout: 10000 });
    const iframe = page.getByTestId('studio-preview');
    await iframe.waitFor({ timeout: 10000 });
    const firstSrc = (await iframe.getAttribute('src'))!;
    // A separate origin: another port than the API's.
    expect(new URL(firstSrc).origin).not.toBe(new URL(stack.url).origin);
    expect(await page.getByTestId('studio-open-tab').getAttribute('href')).toBe(firstSrc);
    const frame = page.frameLocator('[data-testid="studio-preview"]');
    const heading = frame.locator('h1');
    await waitFor(async () => (await heading.textContent()) === 'A bakery in Lisbon with fresh', 15000, 'the heading in the preview');
    // The site's own JS and CSS came through the proxy from their absolute /_next paths.
    await waitFor(async () => (await frame.locator('html').getAttribute('data-hydrated')) === 'yes', 10000, 'the site script ran');
    expect(await heading.evaluate((el) => getComputedStyle(el).fontWeight)).toBe('700');

    // Origin checks both ways: the overlay ignores messages not from the parent page, the page ignores
    // messages not from the preview frame.
    const forged = { protocol: 'orchestrator-design/1', type: 'apply', selector: 'body > main:nth-of-type(1) > h1:nth-of-type(1)', kind: 'text', value: 'FORGED' };
    await frame.locator('html').evaluate((_el, m) => window.postMessage(m, '*'), forged);
    await page.evaluate(() =>
      window.postMessage({ protocol: 'orchestrator-design/1', type: 'selected', element: { selector: 'body', tag: 'body', text: null, classes: [] } }, '*'),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await heading.textContent()).toBe('A bakery in Lisbon with fresh');
    expect(await page.getByTestId('design-tag').count()).toBe(0);

    // Widths.
    await page.getByTestId('studio-width-phone').click();
    await waitFor(async () => (await frame.locator('html').evaluate(() => window.innerWidth)) === 390, 5000, 'a 390 px wide page');
    await shoot(page, 'site-studio-phone.png');
    await page.getByTestId('studio-width-desktop').click();

    // Design mode: click selects; ↑ selects the parent; Esc clears.
    await page.getByTestId('studio-design-toggle').click();
    await heading.click();
    await waitFor(async () => (await page.getByTestId('design-tag').textContent()) === '<h1>', 10000, 'the heading selected');
    expect(await page.getByTestId('design-class-chip').allTextContents()).toEqual(expect.arrayContaining(['text-4xl×', 'font-bold×']));
    await page.keyboard.press('ArrowUp');
    await waitFor(async () => (await page.getByTestId('design-tag').textContent()) === '<main>', 10000, 'the parent selected');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await page.getByTestId('design-tag').count()) === 0, 10000, 'the selection cleared');
    expect(await studio.isVisible()).toBe(true);
    // An image shows its src (without the proxy's prefix) and alt; a link its href.
    await frame.locator('img').click();
    await waitFor(async () => (await page.getByTestId('design-tag').textContent()) === '<img>', 10000, 'the image selected');
    expect(await page.getByTestId('design-src').inputValue()).toBe('/placeholder.svg?height=160&width=320');
    expect(await page.getByTestId('design-alt').inputValue()).toBe('Hero illustration');
    await frame.locator('a').click();
    await waitFor(async () => (await page.getByTestId('design-href').count()) === 1, 10000, 'the link selected');
    expect(await page.getByTestId('design-href').inputValue()).toBe('/about');
    // The click selected the link; it did not follow it.
    expect(page.frames().some((f) => f.url().endsWith('/about'))).toBe(false);
    await heading.click();
    await waitFor(async () => (await page.getByTestId('design-tag').textContent()) === '<h1>', 10000, 'the heading selected again');

    // Edit the text: live in the preview, listed as a pending edit.
    await page.getByTestId('design-text').fill('Fresh bread, Lisbon');
    await waitFor(async () => (await heading.textContent()) === 'Fresh bread, Lisbon', 10000, 'the live edit');
    await page.getByTestId('design-class-add').fill('text-5xl');
    await page.getByTestId('design-class-add').press('Enter');
    expect(await page.getByTestId('design-edits').locator('li').count()).toBe(2);
    // Undo the class edit: the preview goes back.
    await page.getByTestId('design-undo').nth(1).click();
    expect(await page.getByTestId('design-edits').locator('li').count()).toBe(1);
    await waitFor(async () => !((await heading.getAttribute('class')) ?? '').includes('text-5xl'), 10000, 'the class edit undone');
    await shoot(page, 'site-studio-design.png');

    // Apply: one follow-up job; the new version's preview shows the new heading.
    await page.getByTestId('design-apply').click();
    await waitFor(async () => (await page.getByTestId('studio-job').getAttribute('data-status')) === 'completed', 40000, 'the follow-up job');
    await waitFor(async () => (await iframe.getAttribute('src')) !== firstSrc, 15000, 'the new version in the preview');
    await waitFor(async () => (await heading.textContent().catch(() => null)) === 'Fresh bread, Lisbon', 15000, 'the new version shows the edit');
    const site = (await (await fetch(`${stack.url}/api/sites/${assetId}`)).json()) as { versions: { id: string; message?: string }[] };
    expect(site.versions).toHaveLength(2);
    expect(site.versions[1]!.message).toContain('Text of the <h1> at `body > main:nth-of-type(1) > h1:nth-of-type(1)`: "A bakery in Lisbon with fresh" → "Fresh bread, Lisbon" — in app/page.tsx, line 5');

    // Compare the two versions; the files are highlighted.
    await page.getByTestId('studio-tab-compare').click();
    await waitFor(async () => ((await page.getByTestId('studio-diff').textContent()) ?? '').includes('+ '), 10000, 'a diff');
    expect(await page.getByTestId('studio-diff').locator('[data-kind="add"]').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Fresh bread, Lisbon')]));
    await shoot(page, 'site-studio-diff.png');
    await page.getByTestId('studio-tab-files').click();
    await page.getByTestId('studio-code').locator('[data-k="keyword"]').first().waitFor({ timeout: 10000 });
    await shoot(page, 'site-studio-compare.png');

    // Deploy the new version: the deployment URL is shown.
    await page.getByTestId('studio-deploy').click();
    await page.getByTestId('studio-deployment').waitFor({ timeout: 30000 });
    const deployed = (await page.getByTestId('studio-deployment').locator('a').getAttribute('href'))!;
    expect(await (await fetch(deployed)).text()).toContain('Fresh bread, Lisbon');
    // A refused deploy (no Vercel integration) is shown plainly.
    v0.faults.deployError = { status: 403, message: 'No Vercel integration is connected to this account.' };
    await page.getByTestId('studio-deploy').click();
    await waitFor(async () => (await page.getByTestId('studio-job').getAttribute('data-status')) === 'failed', 30000, 'the failed deploy');
    expect(await page.getByTestId('studio-job').textContent()).toContain('No Vercel integration is connected to this account.');
    await shoot(page, 'site-studio-deploy-error.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws a title card for a site without a screenshot, and shows the screenshot of one that has it', { timeout: 60000 }, async () => {
    const chatId = 'noShotChat1';
    const manifest: V0SiteManifest = {
      version: 1,
      chatId,
      title: 'Harbour Ferry Timetable',
      webUrl: `${v0.demoHost}/chat/${chatId}`,
      prompt: 'a ferry timetable',
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      meta: { provider: 'v0', prompt: 'a ferry timetable' },
      versions: [{ id: 'noShotVer1', status: 'completed', createdAt: new Date().toISOString(), files: [], filesSaved: false }],
    };
    const dir = path.join(stack.config.outputPath, 'sites', chatId);
    await mkdir(dir, { recursive: true });
    // Written as a worker would; rewritten if the folder watcher missed it on a busy machine.
    const indexed = async () => (await fetch(`${stack.url}/api/assets/${siteAssetId(chatId)}`)).ok;
    for (let i = 0; i < 3 && !(await indexed()); i++) {
      await writeFile(path.join(dir, 'site.json'), JSON.stringify(manifest));
      await waitFor(indexed, 8000, 'the site indexed').catch(() => undefined);
    }
    const { page, errors } = await openPage(browser, stack.url);
    const card = tileOf(page, siteAssetId(chatId)).getByTestId('site-card');
    await card.waitFor({ timeout: 20000 });
    expect(await card.textContent()).toContain('Harbour Ferry Timetable');
    expect(await tileOf(page, assetId).getByTestId('site-card').count()).toBe(0);
    await shoot(page, 'site-studio-tiles.png');
    expect(errors).toEqual([]);
    await page.close();
  });
});
