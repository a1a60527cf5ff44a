/*
 * Team mode (AUTH=on) in Chromium: the login page, a wrong password, logging in to the app, a job from
 * the form, an API token shown once and used from outside, users, a viewer refused, a session that ends,
 * and logging out. With TEAM_SHOTS_DIR set, screenshots of the login page and both panels (desktop and
 * 390 px) are written there.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Job, PageOf } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { openForm } from './fixtures.js';
import { dropPrefix, startStack, waitFor, type Stack } from '../harness/stack.js';

const ADMIN = { username: 'ada', password: 'correct horse battery' };
const SHOTS = process.env.TEAM_SHOTS_DIR;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('browser-team', { env: { AUTH: 'on', ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A fresh browser profile (no cookies) with one page whose uncaught errors are collected. */
async function freshPage(viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const phone = viewport.width < 500;
  const context = await browser.newContext({ viewport, ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name) });
}

async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-password').press('Enter');
}

async function openMenuItem(page: Page, item: 'menu-tokens' | 'menu-users' | 'menu-logout'): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByTestId(item).click();
}

/** An admin session cookie for API calls from the test. */
async function adminCookie(): Promise<string> {
  const res = await fetch(`${stack.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('team mode in the browser', () => {
  it('shows the login page first, says when the password is wrong, then opens the app; a job from the form runs', async () => {
    const { context, page, errors } = await freshPage();
    await page.goto(stack.url);
    const username = page.getByTestId('login-username');
    await username.waitFor();
    // Keyboard first: the name field has focus, Enter logs in.
    expect(await username.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByTestId('panels').count()).toBe(0);
    await shot(page, 'login-desktop.png');

    await logIn(page, ADMIN.username, 'not the password');
    const error = page.getByTestId('login-error');
    await waitFor(async () => (await error.textContent())?.includes('Wrong user name or password'), 10000, 'the wrong-password message');
    expect(await page.getByTestId('login-password').inputValue()).toBe('');
    await shot(page, 'login-error-desktop.png');

    await logIn(page, ADMIN.username, ADMIN.password);
    const menu = page.getByTestId('user-menu');
    await menu.waitFor({ timeout: 10000 });
    expect(await menu.textContent()).toContain('ada');
    expect(await menu.textContent()).toContain('admin');

    await openForm(page);
    const model = page.getByTestId('model-select');
    await waitFor(async () => (await model.inputValue()) !== '', 15000, 'a model chosen');
    await page.getByTestId('prompt-input').fill('a lighthouse at dusk');
    await page.getByTestId('generate-button').click();
    const card = page.getByTestId('job-card').first();
    await card.waitFor({ timeout: 10000 });
    await page.getByTestId('asset-tile').first().waitFor({ timeout: 20000 });
    const jobs = (await (await fetch(`${stack.url}/api/jobs`, { headers: { cookie: await adminCookie() } })).json()) as PageOf<Job>;
    expect(jobs.items[0]).toMatchObject({ status: 'completed', owner: 'ada' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('"Mine" narrows the gallery to what your own jobs made', async () => {
    const admin = await adminCookie();
    const api = (path: string, body: unknown, cookie: string) =>
      fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: stack.url }, body: JSON.stringify(body) });
    expect((await api('/api/users', { name: 'cy', password: 'cy password!', role: 'member' }, admin)).status).toBe(201);
    const login = await api('/api/auth/login', { username: 'cy', password: 'cy password!' }, '');
    const cy = login.headers.get('set-cookie')!.split(';')[0]!;
    const submitted = await api('/api/jobs', { provider: 'comfyui', kind: 'image', prompt: 'a job of someone else', params: { steps: 2, width: 64, height: 64 } }, cy);
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    await waitFor(async () => ((await (await fetch(`${stack.url}/api/jobs/${id}`, { headers: { cookie: cy } })).json()) as Job).status === 'completed', 20000, "cy's job");

    const { context, page, errors } = await freshPage();
    await page.goto(stack.url);
    await logIn(page, ADMIN.username, ADMIN.password);
    const tiles = page.getByTestId('asset-tile');
    await waitFor(async () => (await tiles.count()) === 2, 15000, 'both images');
    const mine = page.getByTestId('filter-mine');
    expect(await mine.getAttribute('aria-pressed')).toBe('false');
    await mine.click();
    await waitFor(async () => (await tiles.count()) === 1, 10000, 'only ada’s image');
    expect(await mine.getAttribute('aria-pressed')).toBe('true');
    expect(new URL(page.url()).searchParams.get('owner')).toBe('ada');
    await mine.click();
    await waitFor(async () => (await tiles.count()) === 2, 10000, 'everyone’s again');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('after five wrong passwords for a name, says how many minutes to wait', async () => {
    const { context, page, errors } = await freshPage();
    await page.goto(stack.url);
    const error = page.getByTestId('login-error');
    for (let i = 1; i <= 5; i++) {
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
      await logIn(page, 'mallory', `guess number ${i}`);
      expect((await answer).status()).toBe(i < 5 ? 401 : 429);
    }
    await waitFor(async () => (await error.textContent())?.startsWith('Too many'), 5000, 'the lock message');
    expect(await error.textContent()).toBe('Too many attempts: try again in 15 min.');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('makes an API token, shows it once, and the token lists jobs from outside the browser until it is revoked', async () => {
    const { context, page, errors } = await freshPage();
    await page.goto(stack.url);
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('user-menu').waitFor();
    await openMenuItem(page, 'menu-tokens');
    const panel = page.getByTestId('tokens-panel');
    await panel.waitFor();
    // Keyboard first here too: the name field has focus, Enter creates.
    expect(await panel.getByTestId('token-name').evaluate((el) => el === document.activeElement)).toBe(true);
    await panel.getByTestId('token-name').fill('render script');
    await panel.getByTestId('token-scope').selectOption('read');
    await panel.getByTestId('token-name').press('Enter');

    const created = panel.getByTestId('token-created');
    await created.waitFor();
    expect(await created.textContent()).toContain('You will not see it again');
    const token = await panel.getByTestId('token-value').inputValue();
    expect(token).toMatch(/^orch_/);
    await shot(page, 'tokens-created-desktop.png');

    const unauthenticated = await fetch(`${stack.url}/api/jobs`);
    expect(unauthenticated.status).toBe(401);
    const listed = await fetch(`${stack.url}/api/jobs`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as PageOf<Job>).items.some((j) => j.request.prompt === 'a lighthouse at dusk')).toBe(true);
    // A read token does not submit.
    const submit = await fetch(`${stack.url}/api/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'nope' }),
    });
    expect(submit.status).toBe(403);

    // Once dismissed, the token itself is nowhere on the page; the list shows its prefix and when it was used.
    await panel.getByTestId('token-done').click();
    const row = panel.getByTestId('token-row').filter({ hasText: 'render script' });
    await row.waitFor();
    // Opened again, the panel reads the list again: the token has been used now.
    await page.keyboard.press('Escape');
    await openMenuItem(page, 'menu-tokens');
    await waitFor(async () => (await row.count()) === 1 && !(await row.textContent())?.includes('never'), 10000, 'last used to show');
    expect(await row.textContent()).toContain(token.slice(0, 9));
    expect(await page.content()).not.toContain(token);
    await shot(page, 'tokens-desktop.png');

    await row.getByTestId('token-revoke').click();
    await page.getByTestId('confirm-ok').click();
    await waitFor(async () => (await panel.getByTestId('token-row').filter({ hasText: 'render script' }).count()) === 0, 10000, 'the token gone from the list');
    expect((await fetch(`${stack.url}/api/jobs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets an admin add a user and change roles, and shows why the last admin cannot be demoted or removed', async () => {
    const { context, page, errors } = await freshPage();
    await page.goto(stack.url);
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('user-menu').waitFor();
    await openMenuItem(page, 'menu-users');
    const panel = page.getByTestId('users-panel');
    await panel.getByTestId('users-list').waitFor();

    await panel.getByTestId('user-name').fill('bob');
    await panel.getByTestId('user-password').fill('short');
    await panel.getByTestId('user-password').press('Enter');
    expect(await panel.getByTestId('users-message').textContent()).toContain('8 to 256 characters');
    await panel.getByTestId('user-password').fill('bobs password');
    await panel.getByTestId('user-new-role').selectOption('viewer');
    await panel.getByTestId('user-add').click();
    const bob = panel.locator('[data-user="bob"]');
    await bob.waitFor();
    expect(await bob.getByTestId('user-role').inputValue()).toBe('viewer');

    const ada = panel.locator('[data-user="ada"]');
    await ada.getByTestId('user-role').selectOption('member');
    const message = panel.getByTestId('users-message');
    await waitFor(async () => (await message.textContent())?.includes('last admin'), 10000, 'the last-admin refusal');
    expect(await ada.getByTestId('user-role').inputValue()).toBe('admin');
    await ada.getByTestId('user-remove').click();
    await page.getByTestId('confirm-ok').click();
    await waitFor(async () => (await message.textContent())?.includes('last admin') && (await ada.count()) === 1, 10000, 'the last admin kept');
    await shot(page, 'users-desktop.png');

    // Reset bob's password from the panel.
    await bob.getByTestId('user-reset').click();
    await bob.getByTestId('user-new-password').fill('viewers password');
    await bob.getByTestId('user-new-password').press('Enter');
    await waitFor(async () => (await message.textContent())?.includes('New password set for bob'), 10000, 'the password reset');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a viewer sees the app but cannot press Generate, and is told why', async () => {
    const { context, page, errors } = await freshPage();
    await page.goto(stack.url);
    await logIn(page, 'bob', 'viewers password');
    const menu = page.getByTestId('user-menu');
    await menu.waitFor({ timeout: 10000 });
    expect(await menu.textContent()).toContain('view only');
    await page.getByTestId('user-menu').click();
    expect(await page.getByTestId('menu-users').count()).toBe(0);
    await page.keyboard.press('Escape');

    await openForm(page);
    const model = page.getByTestId('model-select');
    await waitFor(async () => (await model.inputValue()) !== '', 15000, 'a model chosen');
    await page.getByTestId('prompt-input').fill('a viewer tries');
    const generate = page.getByTestId('generate-button');
    expect(await generate.isDisabled()).toBe(true);
    expect(await page.getByTestId('panel-create').textContent()).toContain('view-only access');
    // The server refuses a viewer's submit anyway (server/src/routes/auth.test.ts).
    expect(errors).toEqual([]);
    await context.close();
  });

  it('goes back to the login page when the session ends (at the next request, or when the event socket is refused) and after logging out', async () => {
    const { context, page, errors } = await freshPage();
    await page.goto(stack.url);
    // Settled first (socket open, lists fetched), so it is the next request below that meets the 401.
    const lists = ['/api/jobs?', '/api/assets?', '/api/backends'].map((p) => page.waitForResponse((r) => r.url().includes(p) && r.ok()));
    await logIn(page, ADMIN.username, ADMIN.password);
    await Promise.all(lists);
    await waitFor(async () => (await page.getByTestId('connection-status').getAttribute('data-state')) === 'open', 10000, 'the event channel');
    await new Promise((r) => setTimeout(r, 300));

    // The session ends on the server (as when it expires): the next API call answers 401.
    await dropPrefix(stack.redis, `${stack.config.keyPrefix}:auth:session`);
    await openMenuItem(page, 'menu-tokens');
    await page.getByTestId('login-form').waitFor({ timeout: 10000 });
    expect(await page.getByTestId('panels').count()).toBe(0);

    // Idle this time: the session ends while the server restarts. The event socket, refused on
    // reconnecting, makes the page check its session, and it finds out without a click.
    await logIn(page, ADMIN.username, ADMIN.password);
    await waitFor(async () => (await page.getByTestId('connection-status').getAttribute('data-state')) === 'open', 10000, 'the event channel');
    await stack.restartServer(300, () => dropPrefix(stack.redis, `${stack.config.keyPrefix}:auth:session`));
    await page.getByTestId('login-form').waitFor({ timeout: 20000 });

    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('user-menu').waitFor();
    await openMenuItem(page, 'menu-logout');
    await page.getByTestId('login-form').waitFor({ timeout: 10000 });
    await page.reload();
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('user-menu').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it.skipIf(!SHOTS)('screenshots at 390 px: login page, tokens panel, users panel', async () => {
    const { context, page } = await freshPage(PHONE);
    await page.goto(stack.url);
    await page.getByTestId('login-username').waitFor();
    await shot(page, 'login-390.png');
    await logIn(page, ADMIN.username, 'wrong password!');
    await waitFor(async () => (await page.getByTestId('login-error').textContent())?.includes('Wrong'), 10000, 'the error');
    await shot(page, 'login-error-390.png');
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('user-menu').waitFor();
    await shot(page, 'app-390.png');
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-tokens').waitFor();
    await shot(page, 'menu-390.png');
    await page.keyboard.press('Escape');
    await openMenuItem(page, 'menu-tokens');
    const tokens = page.getByTestId('tokens-panel');
    await tokens.getByTestId('token-name').fill('phone token');
    await tokens.getByTestId('token-create').click();
    await tokens.getByTestId('token-created').waitFor();
    await shot(page, 'tokens-created-390.png');
    await tokens.getByTestId('token-done').click();
    await tokens.getByTestId('token-row').first().waitFor();
    await shot(page, 'tokens-390.png');
    await tokens.getByTestId('token-revoke').first().click();
    await page.getByTestId('confirm-dialog').waitFor();
    await shot(page, 'tokens-revoke-390.png');
    await page.getByTestId('confirm-cancel').click();
    await page.keyboard.press('Escape');
    await openMenuItem(page, 'menu-users');
    await page.getByTestId('users-panel').getByTestId('users-list').waitFor();
    await shot(page, 'users-390.png');
    await context.close();
  });
});
