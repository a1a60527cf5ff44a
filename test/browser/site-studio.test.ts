import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { siteAssetId, type Job, type V0SiteManifest } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { PHONE, openPage, shoot, tileOf } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';
import { encodePng } from '../fakes/comfyui/png.js';

/*
 * The site studio in Chromium against the v0 fake: a site opens big through the preview origin, design
 * mode selects the heading, its text is edited live, Apply sends one follow-up, and the new version's
 * preview shows the change; versions compare, and the version deploys. A picture uploaded (or dropped) for
 * the image shows live and goes to v0 as an attachment; a site job's chat card opens the studio.
 */

/** A PNG of one colour, `w` pixels wide. */
const picture = (w: number, h: number, rgb: [number, number, number]) =>
  encodePng(w, h, (_y, row) => {
    for (let x = 0; x < w; x++) row.set(rgb, x * 3);
  });

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
    expect(await page.getByTestId('design-text').count()).toBe(0); // an image has no text to edit
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

  it('uploads and drops a picture for the image in design mode: it shows live, Apply sends it as an attachment, the new version shows it', { timeout: 90000 }, async () => {
    const { page, errors } = await openPage(browser, stack.url);
    await tileOf(page, assetId).dblclick({ timeout: 20000 });
    const iframe = page.getByTestId('studio-preview');
    await iframe.waitFor({ timeout: 10000 });
    const firstSrc = (await iframe.getAttribute('src'))!;
    const frame = page.frameLocator('[data-testid="studio-preview"]');
    const img = frame.locator('img');
    const shows = (width: number, src: (s: string) => boolean) => async () =>
      img.evaluate((el, w) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === w, width).catch(() => false).then(async (ok) => ok && src((await img.getAttribute('src')) ?? ''));
    await waitFor(shows(320, (s) => s.includes('placeholder.svg')), 15000, 'the placeholder image');

    await page.getByTestId('studio-design-toggle').click();
    await img.click();
    await waitFor(async () => (await page.getByTestId('design-tag').textContent()) === '<img>', 10000, 'the image selected');
    const upload = page.getByTestId('design-upload-image');
    expect(await upload.textContent()).toBe('Upload…');
    // Keyboard: the control is a real button in the tab order.
    await upload.focus();
    expect(await upload.evaluate((el) => el === document.activeElement && el.tagName)).toBe('BUTTON');
    await shoot(page, 'site-studio-image-inspector.png');

    // Pick a file: the upload is previewed live in the site (a data URL posted to the overlay).
    const red = picture(64, 32, [220, 40, 40]);
    await page.getByTestId('design-upload-input').setInputFiles({ name: 'hero.png', mimeType: 'image/png', buffer: red });
    await waitFor(shows(64, (s) => s.startsWith('data:image/png;base64,')), 15000, 'the uploaded picture live in the preview');
    await waitFor(async () => (await page.getByTestId('design-picture').textContent())?.includes('hero.png'), 10000, 'the picture in the inspector');
    expect(await page.getByTestId('design-edits').locator('li').count()).toBe(1);
    await shoot(page, 'site-studio-image-uploaded.png');

    // Drop another file on the area: it replaces the first (still one pending edit).
    const blue = picture(80, 40, [40, 80, 230]);
    const dropped = await page.evaluateHandle((b64) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.png', { type: 'image/png' }));
      return dt;
    }, blue.toString('base64'));
    await page.getByTestId('design-image-drop').dispatchEvent('dragover', { dataTransfer: dropped });
    await page.getByTestId('design-image-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await waitFor(shows(80, (s) => s.startsWith('data:image/png;base64,')), 15000, 'the dropped picture live in the preview');
    await waitFor(async () => (await page.getByTestId('design-picture').textContent())?.includes('dropped.png'), 10000, 'the dropped picture in the inspector');
    expect(await page.getByTestId('design-edits').locator('li').count()).toBe(1);

    // Apply: one follow-up with the picture attached; the new version shows it, served from v0's demo.
    await page.getByTestId('design-apply').click();
    await waitFor(async () => (await page.getByTestId('studio-job').getAttribute('data-status')) === 'completed', 40000, 'the follow-up job');
    await waitFor(async () => (await iframe.getAttribute('src')) !== firstSrc, 15000, 'the new version in the preview');
    await waitFor(shows(80, (s) => /\/attachments\/[A-Za-z0-9]+\.png$/.test(s)), 15000, 'the new version shows the picture');
    const sent = v0.received.at(-1)!;
    expect(sent.attachments).toEqual([{ url: `data:image/png;base64,${blue.toString('base64')}` }]);
    expect(sent.message).toContain('→ attachment 1 (dropped.png)');
    await shoot(page, 'site-studio-image-applied.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits the picture controls on a phone', { timeout: 60000 }, async () => {
    const { page, errors } = await openPage(browser, stack.url, PHONE);
    await page.locator('#tab-canvas').click();
    await tileOf(page, assetId).click({ timeout: 20000 });
    await page.getByTestId('open-site-studio').click({ timeout: 10000 });
    await page.getByTestId('studio-preview').waitFor({ timeout: 10000 });
    await page.getByTestId('studio-design-toggle').click();
    const img = page.frameLocator('[data-testid="studio-preview"]').locator('img');
    await img.click({ timeout: 15000 });
    await waitFor(async () => (await page.getByTestId('design-tag').textContent()) === '<img>', 10000, 'the image selected');
    const upload = page.getByTestId('design-upload-image');
    await upload.scrollIntoViewIfNeeded();
    const box = (await upload.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    // A touch target of a usable height.
    expect(box.height).toBeGreaterThanOrEqual(32);
    expect(await page.getByTestId('site-studio').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await shoot(page, 'site-studio-image-phone.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the site studio from a site job\'s chat card ("Open in studio")', { timeout: 90000 }, async () => {
    const { page, errors } = await openPage(browser, stack.url);
    const input = page.getByTestId('chat-input');
    await input.click();
    await input.fill('/v0 A tea house in Kyoto with a moss garden');
    await input.press('Enter');
    const card = page.getByTestId('chat-job-card').last();
    await card.waitFor({ timeout: 10000 });
    await waitFor(async () => (await card.getAttribute('data-status')) === 'completed', 40000, 'the site job');
    const open = card.getByTestId('chat-open-studio');
    expect(await open.textContent()).toBe('Open in studio');
    await shoot(page, 'chat-open-in-studio.png');
    // Keyboard: focus and Enter open it.
    await open.focus();
    await page.keyboard.press('Enter');
    const studio = page.getByTestId('site-studio');
    await studio.waitFor({ timeout: 10000 });
    // The card knows the asset's id; its title arrives with the asset record a moment later.
    await waitFor(async () => (await studio.getAttribute('aria-label')) === 'Site studio: A tea house in Kyoto with', 10000, 'the studio titled');
    const heading = page.frameLocator('[data-testid="studio-preview"]').locator('h1');
    await waitFor(async () => (await heading.textContent().catch(() => null)) === 'A tea house in Kyoto with', 15000, 'the tea house in the preview');
    // A non-site job's card has no such button.
    expect(await page.getByTestId('chat-open-studio').count()).toBe(1);
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
