/*
 * The Create panel's everyday tools, in Chromium against the real server, a worker and the ComfyUI
 * fake: "N jobs" beside Generate queues N jobs (a random seed each, or a fixed seed counting up;
 * batch size stays per job), and the recent prompts come back with ↑/↓ in an empty prompt box or from
 * a searchable list, kept across reloads, each once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Response } from 'playwright-core';
import type { ComfyJobRequest, Job, PageOf } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { openPage, PHONE, shoot, openForm } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  stack = await startStack('browser-create-tools');
  browser = await launchChromium();
  ({ page, errors } = await openPage(browser, stack.url));
  await openForm(page);
  await waitFor(async () => (await page.getByTestId('model-select').inputValue()) !== '', 15000, 'a model chosen');
}, 60000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const prompt = () => page.getByTestId('prompt-input');

/** Presses Generate and collects the job requests it posts (`count` of them). */
async function generate(count: number): Promise<ComfyJobRequest[]> {
  const posted: Response[] = [];
  const onResponse = (r: Response) => {
    if (new URL(r.url()).pathname === '/api/jobs' && r.request().method() === 'POST') posted.push(r);
  };
  page.on('response', onResponse);
  await page.getByTestId('generate-button').click();
  await waitFor(() => posted.length >= count, 15000, `${count} jobs posted`);
  await page.waitForTimeout(300); // none beyond them
  page.off('response', onResponse);
  expect(posted).toHaveLength(count);
  for (const r of posted) expect(r.status()).toBe(202);
  const ids = await Promise.all(posted.map(async (r) => ((await r.json()) as { id: string }).id));
  const jobs = ((await (await fetch(`${stack.url}/api/jobs?limit=50`)).json()) as PageOf<Job>).items;
  return ids.map((id) => jobs.find((j) => j.id === id)!.request as ComfyJobRequest);
}

describe('N jobs beside Generate', () => {
  it('queues N jobs, each with its own random seed, batch size untouched', async () => {
    await prompt().fill('batch: a red fox in the snow');
    await page.getByTestId('job-count').fill('4');
    await expect(page.getByTestId('generate-button').textContent()).resolves.toBe('Generate 4');
    await shoot(page, 'job-count-1440.png');
    const requests = await generate(4);
    const seeds = requests.map((r) => r.params!.seed);
    expect(new Set(seeds).size).toBe(4);
    const withoutSeed = (r: ComfyJobRequest) => ({ ...r, params: { ...r.params, seed: 0 } });
    for (const r of requests) {
      expect(r.prompt).toBe('batch: a red fox in the snow');
      expect(withoutSeed(r)).toEqual(withoutSeed(requests[0]!));
      expect(r.params!.batchSize).toBe(1);
    }
    // The form shows the first job's seed.
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('orchestrator.form')!).state.draft.seed)).toBe(String(seeds[0]));
  });

  it('counts up from a fixed seed, and refuses a count outside 1–16', async () => {
    await prompt().fill('fixed: a castle on a hill');
    await page.locator('summary', { hasText: 'Advanced' }).click();
    await page.getByLabel('Random each time').uncheck();
    await page.locator('#gen-seed').fill('500');
    await page.locator('#gen-batch').fill('2');
    await page.getByTestId('job-count').fill('3');
    const requests = await generate(3);
    expect(requests.map((r) => r.params!.seed)).toEqual([500, 501, 502]);
    expect(requests.every((r) => r.params!.batchSize === 2)).toBe(true);

    await page.getByTestId('job-count').fill('17');
    const before = ((await (await fetch(`${stack.url}/api/jobs?limit=50`)).json()) as PageOf<Job>).items.length;
    await page.getByTestId('generate-button').click();
    await expect(page.getByTestId('job-count').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.waitForTimeout(300);
    expect(((await (await fetch(`${stack.url}/api/jobs?limit=50`)).json()) as PageOf<Job>).items.length).toBe(before);
    await page.getByTestId('job-count').fill('1');
    await page.locator('#gen-batch').fill('1');
    await page.getByLabel('Random each time').check();
    await page.locator('summary', { hasText: 'Advanced' }).click();
  });
});

describe('recent prompts', () => {
  it('come back with ↑/↓ in an empty or unchanged prompt box, newest first, each once', async () => {
    await prompt().fill('history: a lighthouse at dusk');
    await generate(1);
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('orchestrator.prompts')!).state.prompts as string[]);
    expect(stored).toEqual(['history: a lighthouse at dusk', 'fixed: a castle on a hill', 'batch: a red fox in the snow']);

    await prompt().fill('');
    await prompt().press('ArrowUp');
    expect(await prompt().inputValue()).toBe('history: a lighthouse at dusk');
    await prompt().press('ArrowUp');
    expect(await prompt().inputValue()).toBe('fixed: a castle on a hill');
    await prompt().press('ArrowUp');
    await prompt().press('ArrowUp'); // no older one: stays
    expect(await prompt().inputValue()).toBe('batch: a red fox in the snow');
    await prompt().press('ArrowDown');
    expect(await prompt().inputValue()).toBe('fixed: a castle on a hill');
    await prompt().press('ArrowDown');
    await prompt().press('ArrowDown');
    expect(await prompt().inputValue()).toBe('');

    // Text the user changed is theirs: the arrows move the caret.
    await prompt().fill('my own words');
    await prompt().press('ArrowUp');
    expect(await prompt().inputValue()).toBe('my own words');
  });

  it('are searchable from the Recent list, from the keyboard, and kept across a reload', async () => {
    await page.reload();
    await prompt().waitFor();
    const recent = page.getByTestId('prompt-input-history');
    await expect(recent.textContent()).resolves.toContain('3');
    await recent.click();
    const list = page.getByTestId('prompt-history');
    await list.waitFor();
    expect(await page.getByTestId('prompt-history-item').count()).toBe(3);
    await page.keyboard.type('castle');
    await waitFor(async () => (await page.getByTestId('prompt-history-item').count()) === 1, 3000, 'the search narrowing the list');
    await shoot(page, 'prompt-history-1440.png');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await list.count()) === 0, 3000, 'the list closed');
    expect(await prompt().inputValue()).toBe('fixed: a castle on a hill');
    expect(await prompt().evaluate((el) => el === document.activeElement)).toBe(true);

    // Esc closes without picking and gives focus back to the button.
    await recent.click();
    await page.getByTestId('prompt-history-search').fill('fox');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await list.count()) === 0, 3000, 'the list closed');
    expect(await recent.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await prompt().inputValue()).toBe('fixed: a castle on a hill');
    expect(errors).toEqual([]);
  });

  it('fit a phone', async () => {
    const phone = await openPage(browser, stack.url, PHONE);
    // A page of its own starts with empty storage: give it a tab and a history.
    await phone.page.evaluate(() => {
      localStorage.setItem('orchestrator.layout', JSON.stringify({ state: { mobileTab: 'create' }, version: 1 }));
      const prompts = ['a watercolour map of an island with a very long prompt that has to be cut short on a phone', 'neon city at night', 'a bowl of ramen'];
      localStorage.setItem('orchestrator.prompts', JSON.stringify({ state: { prompts }, version: 1 }));
    });
    await phone.page.reload();
    await phone.page.getByTestId('prompt-input').waitFor();
    await phone.page.getByTestId('prompt-input-history').click();
    const box = (await phone.page.getByTestId('prompt-history').boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    const count = (await phone.page.getByTestId('job-count').boundingBox())!;
    expect(count.x + count.width).toBeLessThanOrEqual(PHONE.width);
    await shoot(phone.page, 'prompt-history-390.png');
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  });
});
