/*
 * The trash view in Chromium: a deleted item is listed there after its undo toast is gone, goes back to
 * the gallery with Restore, is deleted from the disk with Delete forever, and Empty trash clears it all;
 * everything reachable from the keyboard.
 */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { indexedTotal, openPage, PHONE, shoot, tileOf, writeImage } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

let stack: Stack;
let browser: Browser;
const ids: string[] = [];
const names = ['harbour', 'meadow', 'glacier', 'canyon'];

beforeAll(async () => {
  stack = await startStack('browser-trash', { noWorker: true });
  browser = await launchChromium();
  for (const [i, name] of names.entries()) {
    ids.push(await writeImage(stack, `trash/${name}.png`, { meta: { prompt: `a ${name} at dawn` }, at: new Date(2025, 1, 1, 10, i), colour: i }));
  }
  await waitFor(async () => (await indexedTotal(stack)) === names.length, 30000, 'the files indexed');
}, 60000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const trashItems = (page: Page) => page.getByTestId('trash-item');
const trashIds = (page: Page) => trashItems(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-asset-id')));

async function deleteFromGallery(page: Page, id: string): Promise<void> {
  await tileOf(page, id).click({ button: 'right' });
  await page.getByTestId('menu-delete').click();
  await page.getByTestId('confirm-ok').click();
  await waitFor(async () => (await tileOf(page, id).count()) === 0, 10000, 'the tile gone');
}

describe('the trash view', () => {
  it('lists a deleted item, restores it to the gallery, and is driven from the keyboard', async () => {
    const { page, errors } = await openPage(browser, stack.url);
    await tileOf(page, ids[0]!).waitFor({ timeout: 15000 });
    await deleteFromGallery(page, ids[0]!);
    // The undo toast would bring it back: dismiss it, as if its 12 s had run out.
    await page.getByRole('button', { name: 'Dismiss notification' }).first().click();

    // Open the trash from the keyboard: the button is in the Canvas header.
    const toggle = page.getByTestId('trash-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('trash-dialog');
    await dialog.waitFor();
    await waitFor(async () => JSON.stringify(await trashIds(page)) === JSON.stringify([ids[0]]), 10000, 'the deleted item in the trash');
    await expect(page.getByTestId('trash-count').textContent()).resolves.toBe('1 item');
    await expect(trashItems(page).first().textContent()).resolves.toContain('a harbour at dawn');
    await waitFor(
      async () => trashItems(page).first().locator('img').evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0),
      10000,
      'its thumbnail shown',
    );
    await shoot(page, 'trash-1440.png');

    // Tab to Restore and press Enter.
    let onRestore = false;
    for (let i = 0; i < 10 && !onRestore; i++) {
      await page.keyboard.press('Tab');
      onRestore = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'trash-restore');
    }
    expect(onRestore).toBe(true);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await trashItems(page).count()) === 0, 10000, 'the trash empty again');
    await page.getByText('The trash is empty.').waitFor();
    // Esc closes it and gives focus back to its button; the item is back in the gallery.
    await page.keyboard.press('Escape');
    await waitFor(async () => (await dialog.count()) === 0, 5000, 'the trash closed');
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    await tileOf(page, ids[0]!).waitFor({ timeout: 10000 });
    expect(existsSync(path.join(stack.config.outputPath, 'trash/harbour.png'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('deletes one item forever and empties the rest, after asking', async () => {
    const { page, errors } = await openPage(browser, stack.url);
    await tileOf(page, ids[1]!).waitFor({ timeout: 15000 });
    for (const id of [ids[1]!, ids[2]!, ids[3]!]) await deleteFromGallery(page, id);
    await page.getByTestId('trash-toggle').click();
    await waitFor(async () => (await trashItems(page).count()) === 3, 10000, 'three items in the trash');
    expect(await trashIds(page)).toEqual([ids[3], ids[2], ids[1]]); // newest deletion first

    await trashItems(page).filter({ hasText: 'canyon' }).getByTestId('trash-purge').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-ok').click();
    await waitFor(async () => (await trashItems(page).count()) === 2, 10000, 'the purged item gone from the list');
    // Focus moved to the row that took its place.
    const focusedRow = () => page.evaluate(() => document.activeElement?.closest('[data-testid="trash-item"]')?.getAttribute('data-asset-id'));
    await waitFor(async () => (await focusedRow()) === ids[2], 3000, 'focus on the row that took its place');
    const trashRoot = path.join(stack.config.dataPath, 'trash');
    expect((await readdir(trashRoot)).some((d) => d.startsWith(ids[3]!))).toBe(false);
    const restore = await fetch(`${stack.url}/api/assets/restore`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [ids[3]] }) });
    expect(((await restore.json()) as { missing: string[] }).missing).toEqual([ids[3]]);

    // Cancel first: nothing goes.
    await page.getByTestId('trash-empty').click();
    await page.getByTestId('confirm-cancel').click();
    expect(await trashItems(page).count()).toBe(2);
    await page.getByTestId('trash-empty').click();
    await page.getByTestId('confirm-ok').click();
    await waitFor(async () => (await trashItems(page).count()) === 0, 10000, 'the trash emptied');
    expect(await readdir(trashRoot)).toEqual([]);
    expect(await page.getByTestId('trash-empty').isDisabled()).toBe(true);
    await page.getByTestId('trash-close').click();
    await waitFor(async () => (await page.getByTestId('gallery-count').textContent())?.includes('1 item'), 10000, 'one item left in the gallery');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone', async () => {
    const { page, errors } = await openPage(browser, stack.url, PHONE);
    await page.getByRole('tab', { name: 'Canvas' }).click();
    await tileOf(page, ids[0]!).waitFor({ timeout: 15000 });
    await deleteFromGallery(page, ids[0]!);
    await page.getByTestId('trash-toggle').click();
    await trashItems(page).first().waitFor({ timeout: 10000 });
    for (const id of ['trash-restore', 'trash-purge', 'trash-close', 'trash-empty']) {
      const box = await page.getByTestId(id).first().boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(PHONE.width);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shoot(page, 'trash-390.png');
    await trashItems(page).first().getByTestId('trash-restore').click();
    await waitFor(async () => (await trashItems(page).count()) === 0, 10000, 'restored');
    expect(errors).toEqual([]);
    await page.close();
  });
});
