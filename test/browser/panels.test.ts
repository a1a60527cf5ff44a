/*
 * The page keeps working when one thing goes wrong: cancelling a queued job from its card (whose
 * answer is not a Job) leaves every panel alive, and a panel that does fail to render is replaced by a
 * message with a "Reload this panel" button while the other panels go on. No worker runs here, so
 * every job stays queued until it is cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CancelResponse, Job, PageOf } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { openForm } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { jobsOver } from '../harness/jobs.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('browser-panels', { noWorker: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const jobs = jobsOver((p, init) => fetch(`${stack.url}${p}`, init));
const submit = (prompt: string) => jobs.submit({ provider: 'comfyui', kind: 'image', prompt, params: { steps: 4, width: 64, height: 64 } });

/** A page with its uncaught errors collected. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

describe('a failure stays in its place', () => {
  it('cancels a queued job from its card: the job shows cancelled and the page stays alive', async () => {
    await submit('first queued job');
    const secondId = await submit('second queued job');
    const { page, errors } = await openPage();
    await page.goto(stack.url);
    await openForm(page);

    const cards = page.getByTestId('job-card');
    await waitFor(async () => (await cards.count()) === 2, 15000, 'two queued cards');
    const card = cards.filter({ hasText: 'second queued job' });
    expect(await card.getAttribute('data-status')).toBe('queued');

    const answer = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(`/api/jobs/${secondId}`));
    await card.getByTestId('cancel-button').click();
    // The server answers with a cancel acknowledgement, not a Job: the page must not take it for one.
    const res = await answer;
    expect(res.status()).toBe(200);
    expect((await res.json()) as CancelResponse).toEqual({ id: secondId, status: 'cancelled', cancelRequested: false });

    // Cancelled jobs leave the canvas (it shows work in progress); the job list says cancelled.
    const row = page.getByTestId('queue-item').filter({ hasText: 'second queued job' });
    const status = () => row.getAttribute('data-status', { timeout: 500 }).catch(() => null);
    await waitFor(async () => errors.length > 0 || (await status()) === 'cancelled', 10000, 'the job listed as cancelled');
    expect(errors).toEqual([]);
    await expect(row.textContent()).resolves.toContain('Cancelled');
    await waitFor(async () => (await cards.count()) === 1, 10000, 'the cancelled card gone from the canvas');
    await expect(cards.first().getAttribute('data-status')).resolves.toBe('queued');
    await expect(cards.first().textContent()).resolves.toContain('first queued job');

    // Still alive: no panel fell over, the list and form answer clicks, the inspector shows the job.
    expect(await page.getByTestId('panel-error').count()).toBe(0);
    await row.click();
    await waitFor(async () => (await page.getByTestId('inspector').textContent())?.includes('second queued job'), 5000, 'the inspector to show the job');
    await page.getByTestId('prompt-input').fill('still typing');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('replaces a panel that fails to render with a message and a keyboard-reachable "Reload this panel"', async () => {
    const { page, errors } = await openPage();
    // A malformed answer (a job without its request) corrupts the cached list; the job list in the
    // Create panel cannot render it. Only the first list fetch is spoiled.
    let spoiled = false;
    await page.route(
      (url) => url.pathname === '/api/jobs',
      async (route) => {
        if (spoiled || route.request().method() !== 'GET') return route.fallback();
        spoiled = true;
        const res = await route.fetch();
        const body = (await res.json()) as PageOf<Job>;
        const broken = { ...body.items[0]!, status: 'completed' } as Partial<Job>;
        delete broken.request;
        await route.fulfill({ response: res, json: { ...body, items: [broken, ...body.items.slice(1)] } });
      },
    );
    await page.goto(stack.url);
    await openForm(page);

    const create = page.locator('[data-testid="panel-boundary"][data-panel="Create"]');
    const alert = create.getByTestId('panel-error');
    await alert.waitFor({ timeout: 15000 });
    await expect(alert.getAttribute('role')).resolves.toBe('alert');
    await expect(alert.textContent()).resolves.toContain('The Create panel stopped working');
    // The other panels go on.
    expect(await page.getByTestId('panel-error').count()).toBe(1);
    await page.getByTestId('inspector').waitFor();
    await page.getByTestId('job-card').first().waitFor();

    // Reachable and usable from the keyboard: Tab lands on the button, Enter reloads the panel.
    const reload = create.getByTestId('panel-reload');
    await expect(reload.textContent()).resolves.toBe('Reload this panel');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    let focused = false;
    for (let i = 0; i < 40 && !focused; i++) {
      await page.keyboard.press('Tab');
      focused = await reload.evaluate((el) => el === document.activeElement);
    }
    expect(focused).toBe(true);
    await page.keyboard.press('Enter');

    await page.getByTestId('queue-item').first().waitFor({ timeout: 10000 });
    expect(await page.getByTestId('panel-error').count()).toBe(0);
    await expect(page.getByTestId('queue-item').filter({ hasText: 'first queued job' }).getAttribute('data-status')).resolves.toBe('queued');
    await page.getByTestId('prompt-input').waitFor();
    // Focus stays in the panel that was reloaded, not at the top of the page.
    expect(await create.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
