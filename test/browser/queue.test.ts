/*
 * The queue panel in Chromium against the real server, a real worker and a slow ComfyUI fake (20
 * steps of 200 ms: a job runs 4 s). The backend is switched off from the panel first, so the jobs
 * stay queued while the test moves them: their order and reasons, move to front, a priority change,
 * the provider's switch and its reason, and the backend's switch (on: jobs start in the new order;
 * off while busy: draining). Set QUEUE_SCREENSHOTS=/some/dir to keep desktop and phone screenshots.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Job, QueueView } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { openForm } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { jobsOver } from '../harness/jobs.js';

const MODEL = 'sd_xl_base_1.0.safetensors';
const SHOTS = process.env.QUEUE_SCREENSHOTS;

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('browser-queue', { comfy: { stepMs: 200 } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const jobs = jobsOver((p, init) => fetch(`${stack.url}${p}`, init));
const submit = (prompt: string) => jobs.submit({ provider: 'comfyui', kind: 'image', model: MODEL, prompt, params: { steps: 20, width: 64, height: 64 } });

async function getJson<T>(route: string): Promise<T> {
  const res = await fetch(`${stack.url}${route}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function openPage(viewport: { width: number; height: number }, mobile = false): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/** The job ids of the panel's waiting rows, top to bottom. */
const order = (panel: Locator) => panel.getByTestId('queue-entry').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.job));
const reasons = (panel: Locator) => panel.getByTestId('queue-reason').allTextContents();
const agentRow = (panel: Locator, name: string) => panel.locator(`[data-testid="agent-row"][data-agent="${name}"]`);
const stateOf = (panel: Locator, name: string) => agentRow(panel, name).getAttribute('data-state', { timeout: 1000 }).catch(() => null);

async function waitForOrder(panel: Locator, ids: string[], what: string): Promise<void> {
  await waitFor(async () => JSON.stringify(await order(panel)) === JSON.stringify(ids), 10000, what);
}

async function shoot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name) });
}

describe('the queue panel', () => {
  it('shows waiting jobs in order with their reasons, reorders them, and switches the provider and the backend', async () => {
    const { page, errors } = await openPage({ width: 1440, height: 900 });
    await page.goto(stack.url);
    const toggle = page.getByTestId('queue-toggle');
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    const panel = page.getByTestId('queue-panel');
    await panel.waitFor({ timeout: 10000 });

    // Providers and the backend, each with a switch; the backend online once the worker owns it.
    for (const name of ['comfyui', 'flux', 'v0', 'comfyui-1']) await agentRow(panel, name).waitFor({ timeout: 10000 });
    await waitFor(async () => (await stateOf(panel, 'comfyui-1')) === 'online', 15000, 'comfyui-1 online');
    await agentRow(panel, 'comfyui-1').locator('[title^="Driven by worker"]').waitFor({ timeout: 10000 });
    const backendSwitch = panel.getByRole('switch', { name: 'comfyui-1 backend', exact: true });
    const providerSwitch = panel.getByRole('switch', { name: 'comfyui provider', exact: true });
    await expect(backendSwitch.getAttribute('aria-checked')).resolves.toBe('true');

    // Off, from the panel: the jobs submitted next stay queued.
    await backendSwitch.click();
    await expect(backendSwitch.getAttribute('aria-checked')).resolves.toBe('false');
    await waitFor(async () => (await stateOf(panel, 'comfyui-1')) === 'off', 5000, 'comfyui-1 off');
    // Every worker honours a switch within a second.
    await new Promise((r) => setTimeout(r, 1200));

    const a = await submit('first: a lighthouse at dusk, volumetric light');
    const b = await submit('second: a red fox in the snow');
    const c = await submit('third: a bowl of ramen, studio light');
    await waitForOrder(panel, [a, b, c], 'the three jobs in submission order');
    const offReason = `the backends with ${MODEL} are switched off`;
    await waitFor(async () => (await reasons(panel)).every((r) => r === offReason), 5000, 'the backends-off reason');
    // The job cards say why they wait too.
    const cardReasons = page.getByTestId('job-wait-reason');
    await waitFor(async () => (await cardReasons.count()) === 3 && (await cardReasons.allTextContents()).every((r) => r === offReason), 5000, 'reasons on the cards');
    expect(await panel.getByTestId('queue-entry').first().textContent()).toContain('sd_xl_base_1.0');

    // Move the last to the front: it is first in the panel and in the server's order.
    await panel.getByRole('button', { name: 'Move "third: a bowl of ramen, studio light" to the front' }).click();
    await waitForOrder(panel, [c, a, b], 'the third job moved to the front');
    expect((await getJson<QueueView>('/api/queue')).items.map((i) => i.job.id)).toEqual([c, a, b]);
    await expect(panel.locator(`[data-job="${c}"]`).getAttribute('data-priority')).resolves.toBe('high');

    // A lower priority: the first job goes behind the second.
    await panel.getByRole('combobox', { name: 'Priority of "first: a lighthouse at dusk, volumetric light"' }).selectOption('low');
    await waitForOrder(panel, [c, b, a], 'the low-priority job last');
    expect((await getJson<Job>(`/api/jobs/${a}`)).request.priority).toBe('low');
    // The canvas' cards follow the start order too.
    const cardOrder = async () => (await page.getByTestId('job-card').allTextContents()).map((t) => /(first|second|third):/.exec(t)?.[1]);
    await waitFor(async () => JSON.stringify(await cardOrder()) === JSON.stringify(['third', 'second', 'first']), 5000, 'the cards in start order');

    // The keyboard walks the rows: Down goes to the same control in the next row.
    const prompts = panel.locator('[data-testid="queue-entry"] [data-control="select"]');
    await prompts.first().focus();
    await page.keyboard.press('ArrowDown');
    expect(await prompts.nth(1).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('End');
    expect(await prompts.nth(2).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.control)).toBe('priority');
    await shoot(page, 'queue-desktop.png');

    // The provider off: that is the reason now, in the panel and on the cards.
    await providerSwitch.click();
    await waitFor(async () => (await stateOf(panel, 'comfyui')) === 'off', 5000, 'comfyui off');
    await waitFor(async () => (await reasons(panel)).every((r) => r === 'comfyui is switched off'), 5000, 'the provider-off reason');
    await waitFor(async () => (await cardReasons.allTextContents()).every((r) => r === 'comfyui is switched off'), 5000, 'the reason on the cards');

    // Both on again: the jobs start, the moved one first.
    await providerSwitch.click();
    await waitFor(async () => (await reasons(panel)).every((r) => r === offReason), 5000, 'back to the backends-off reason');
    await backendSwitch.click();
    const backend = agentRow(panel, 'comfyui-1');
    await waitFor(async () => (await backend.textContent())?.includes('third: a bowl of ramen'), 10000, 'the backend running the moved job');
    expect((await getJson<Job>(`/api/jobs/${c}`)).status).toBe('running');
    await expect(backend.getByTestId('agent-model').textContent()).resolves.toBe('sd_xl_base_1.0');
    await waitFor(async () => !(await order(panel)).includes(c), 5000, 'the started job out of the waiting list');
    await shoot(page, 'queue-desktop-running.png');

    // Off while it runs: draining, then off once its jobs end; the rest waits.
    await backendSwitch.click();
    await waitFor(async () => (await stateOf(panel, 'comfyui-1')) === 'draining', 5000, 'comfyui-1 draining');
    await waitFor(async () => (await stateOf(panel, 'comfyui-1')) === 'off', 30000, 'comfyui-1 off after its jobs');
    await waitFor(async () => (await order(panel)).includes(a), 5000, 'the low-priority job still waiting');
    await waitFor(async () => (await reasons(panel)).every((r) => r === offReason), 5000, 'waiting for a backend again');

    // Escape closes the panel and gives focus back to its button.
    await prompts.first().focus();
    await page.keyboard.press('Escape');
    await waitFor(async () => (await panel.count()) === 0, 5000, 'the panel closed');
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone: the queue is a tab, every control reachable, nothing wider than the screen', async () => {
    // Something to show: two more waiting jobs (the backend is still off from the test above).
    await submit('fourth: a watercolor map of an island with a very long prompt that has to be cut short');
    await submit('fifth: neon city at night');
    const { page, errors } = await openPage({ width: 390, height: 844 }, true);
    await page.goto(stack.url);
    await page.getByRole('tab', { name: 'Canvas' }).waitFor();
    // The canvas' Queue button leads to the Queue tab.
    await page.getByTestId('queue-toggle').click();
    await expect(page.getByRole('tab', { name: 'Queue' }).getAttribute('aria-selected')).resolves.toBe('true');
    const panel = page.getByTestId('queue-panel');
    await panel.waitFor({ timeout: 10000 });
    await waitFor(async () => (await panel.getByTestId('queue-entry').count()) >= 3, 10000, 'the waiting jobs');
    await agentRow(panel, 'comfyui-1').waitFor();

    const overflow = await panel.evaluate((el) => {
      const body = el.lastElementChild as HTMLElement;
      return { scroll: body.scrollWidth, client: body.clientWidth, page: document.documentElement.scrollWidth };
    });
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    expect(overflow.page).toBeLessThanOrEqual(390);
    // Every action of a row is on screen and big enough to tap.
    const row = panel.getByTestId('queue-entry').first();
    for (const control of ['select', 'priority', 'front', 'cancel']) {
      const box = await row.locator(`[data-control="${control}"]`).boundingBox();
      expect(box, control).not.toBeNull();
      expect(box!.x + box!.width, control).toBeLessThanOrEqual(390);
      if (control !== 'select') expect(box!.height, control).toBeGreaterThanOrEqual(32);
    }
    await shoot(page, 'queue-phone.png');

    // Cancel from the phone: the row goes, focus lands on the row that took its place.
    const before = await order(panel);
    await row.locator('[data-control="cancel"]').click();
    await waitFor(async () => (await order(panel)).length === before.length - 1, 5000, 'the cancelled job gone');
    expect((await getJson<Job>(`/api/jobs/${before[0]}`)).status).toBe('cancelled');
    await waitFor(
      async () => panel.getByTestId('queue-entry').first().locator('[data-control="select"]').evaluate((el) => el === document.activeElement),
      5000,
      'focus on the next row',
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('submits a job with the priority chosen beside Generate: a high one goes ahead of the waiting ones', async () => {
    const { page, errors } = await openPage({ width: 1440, height: 900 });
    await page.goto(stack.url);
    await openForm(page);
    const model = page.getByTestId('model-select');
    await waitFor(async () => (await model.inputValue()) !== '', 15000, 'a model chosen');
    const choice = page.getByRole('combobox', { name: 'Priority of the new job' });
    await expect(choice.inputValue()).resolves.toBe('normal');
    await choice.selectOption('high');
    await page.getByTestId('prompt-input').fill('sixth: an urgent one');
    const accepted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/jobs');
    await page.getByTestId('generate-button').click();
    const id = ((await (await accepted).json()) as { id: string }).id;
    expect((await getJson<Job>(`/api/jobs/${id}`)).request.priority).toBe('high');

    await page.getByTestId('queue-toggle').click();
    const panel = page.getByTestId('queue-panel');
    await waitFor(async () => (await order(panel))[0] === id, 10000, 'the high-priority job first');
    await expect(panel.locator(`[data-job="${id}"]`).getAttribute('data-priority')).resolves.toBe('high');
    await shoot(page, 'queue-submit-priority.png');
    expect(errors).toEqual([]);
    await page.close();
  });
});
