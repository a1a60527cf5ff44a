/*
 * The chat in team mode (AUTH=on): a member's thread list shows their own threads ("Mine"), everyone's
 * on request, with each thread's owner; another member's thread opens read-only (no input, no
 * buttons that would write in it); a thread the member starts carries their name; the next user to log
 * in on the same browser starts in their own thread, without the last one's input history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ChatThread } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { DESKTOP, shoot } from './fixtures.js';
import { startStack, type Stack } from '../harness/stack.js';

const ADMIN = { username: 'ada', password: 'correct horse battery' };

let stack: Stack;
let browser: Browser;
const cookies: Record<string, string> = {};

async function login(username: string, password: string): Promise<string> {
  const res = await fetch(`${stack.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: stack.url }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function post<T>(who: string, path: string, body: object): Promise<T> {
  const res = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies[who]!, origin: stack.url }, body: JSON.stringify(body) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return (await res.json()) as T;
}

beforeAll(async () => {
  stack = await startStack('browser-chat-team', { noWorker: true, env: { AUTH: 'on', ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } });
  browser = await launchChromium();
  cookies.ada = await login(ADMIN.username, ADMIN.password);
  for (const name of ['mia', 'max']) {
    await post('ada', '/api/users', { name, password: `${name}-password`, role: 'member' });
    cookies[name] = await login(name, `${name}-password`);
  }
  for (const [who, title] of [['max', "max's plans"], ['mia', "mia's sketches"]] as const) {
    const t = await post<ChatThread>(who, '/api/chat/threads', { title });
    await post(who, `/api/chat/threads/${t.id}/messages`, { text: '/help' });
  }
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function logInAs(name: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(stack.url);
  await page.getByTestId('login-username').fill(name);
  await page.getByTestId('login-password').fill(`${name}-password`);
  await page.getByTestId('login-password').press('Enter');
  await page.getByTestId('chat-panel').waitFor();
  return { page, errors };
}

describe('the chat in team mode', () => {
  it("shows a member their own threads, everyone's on request, and others' read-only", async () => {
    const { page, errors } = await logInAs('mia');
    // Her most recent thread opens.
    await page.getByTestId('chat-thread-title').filter({ hasText: "mia's sketches" }).waitFor();
    await page.getByTestId('chat-threads-toggle').click();
    const items = page.getByTestId('chat-thread-item');
    await items.first().waitFor();
    expect(await page.getByTestId('chat-scope-mine').getAttribute('aria-pressed')).toBe('true');
    expect(await items.allTextContents()).toEqual([expect.stringContaining("mia's sketches")]);

    await page.getByTestId('chat-scope-all').click();
    await items.filter({ hasText: "max's plans" }).waitFor();
    expect(await items.count()).toBe(2);
    expect(await items.filter({ hasText: "max's plans" }).textContent()).toContain('· max');
    // Only her own can be deleted.
    expect(await page.getByRole('button', { name: "Delete the thread “max's plans”" }).count()).toBe(0);
    expect(await page.getByRole('button', { name: "Delete the thread “mia's sketches”" }).count()).toBe(1);
    await shoot(page, 'chat-team-everyone.png');

    await items.filter({ hasText: "max's plans" }).click();
    await page.getByTestId('chat-message').first().waitFor();
    expect(await page.getByTestId('chat-input').isDisabled()).toBe(true);
    expect(await page.getByTestId('chat-composer').textContent()).toContain("This is max's thread");
    expect(await page.getByTestId('chat-message').first().textContent()).toContain('max');

    // A thread she starts is hers, and "Mine" lists it.
    await page.getByTestId('chat-threads-toggle').click();
    await page.getByTestId('chat-scope-mine').click();
    await page.getByTestId('chat-threads-toggle').click();
    await page.getByTestId('chat-new-thread').click();
    await page.getByTestId('chat-input').fill('/agent-list');
    await page.getByTestId('chat-input').press('Enter');
    await page.getByTestId('chat-agents').waitFor();
    await page.getByTestId('chat-threads-toggle').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="chat-thread-item"]').length === 2);

    // Max logs in on the same browser: he starts in his own thread, and ↑ does not bring back what mia typed.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-logout').click();
    await page.getByTestId('login-username').fill('max');
    await page.getByTestId('login-password').fill('max-password');
    await page.getByTestId('login-password').press('Enter');
    await page.getByTestId('chat-thread-title').filter({ hasText: "max's plans" }).waitFor();
    await page.getByTestId('chat-input').click();
    await page.keyboard.press('ArrowUp');
    expect(await page.getByTestId('chat-input').inputValue()).toBe('');
    expect(errors).toEqual([]);
    await page.close();
  });
});
