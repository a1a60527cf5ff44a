/*
 * A page of another origin cannot open the studio's event WebSocket, in local mode and in team mode
 * (where the browser even holds a session cookie for the studio's host: cookies do not care about the
 * port, so only the Origin check stands in the way). The same socket opened from the studio's own page
 * works, so the refusal is not an accident of the test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

const ADMIN = { username: 'ada', password: 'correct horse battery' };

let local: Stack;
let team: Stack;
let browser: Browser;
let evil: Server;
let evilUrl: string;

/** The other origin: one HTML page that opens the studio's socket named in `?ws=` and records what happens. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>another site</title><script>
window.wsLog = [];
const ws = new WebSocket(new URLSearchParams(location.search).get('ws'));
ws.onopen = () => wsLog.push('open');
ws.onmessage = () => wsLog.push('message');
ws.onerror = () => wsLog.push('error');
ws.onclose = (e) => wsLog.push('close');
</script>`;

beforeAll(async () => {
  [local, team] = await Promise.all([
    startStack('browser-xorigin-local', { noWorker: true }),
    startStack('browser-xorigin-team', { noWorker: true, env: { AUTH: 'on', ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } }),
  ]);
  evil = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await Promise.all([local?.close(), team?.close()]);
});

/** A job, so the event log has something a socket with ?since=0-0 would replay. */
async function submit(stack: Stack, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`${stack.url}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'a secret prompt', params: { steps: 4, width: 64, height: 64 } }),
  });
  expect(res.status).toBe(202);
}

async function socketLog(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { wsLog: string[] }).wsLog);
}

/** Opens the socket from `page` (already on some origin) and waits until it closed or got a message. */
async function openFromPage(page: Page, wsUrl: string): Promise<string[]> {
  await page.evaluate((url) => {
    const log: string[] = [];
    (window as unknown as { wsLog: string[] }).wsLog = log;
    const ws = new WebSocket(url);
    ws.onopen = () => log.push('open');
    ws.onmessage = () => log.push('message');
    ws.onerror = () => log.push('error');
    ws.onclose = () => log.push('close');
  }, wsUrl);
  return waitFor(async () => {
    const log = await socketLog(page);
    return log.includes('message') || log.includes('close') ? log : null;
  }, 10000, 'the socket to answer');
}

async function expectRefused(page: Page, wsUrl: string): Promise<void> {
  await page.goto(`${evilUrl}?ws=${encodeURIComponent(wsUrl)}`);
  const log = await waitFor(async () => {
    const l = await socketLog(page);
    return l.includes('close') ? l : null;
  }, 10000, 'the socket to close');
  // Give a (wrongly) open socket time to deliver the replay, then look again.
  await new Promise((r) => setTimeout(r, 500));
  expect(await socketLog(page)).toEqual(log);
  expect(log).toContain('error');
  expect(log).not.toContain('open');
  expect(log).not.toContain('message');
}

describe('the event WebSocket from another origin', () => {
  it('local mode: refused to another origin’s page, open to the studio’s own', async () => {
    await submit(local);
    const wsUrl = `${local.wsUrl}/api/ws?since=0-0`;
    const context = await browser.newContext();
    const page = await context.newPage();
    await expectRefused(page, wsUrl);

    await page.goto(local.url);
    const own = await openFromPage(page, wsUrl);
    expect(own).toContain('open');
    expect(own).toContain('message');
    await context.close();
  });

  it('team mode: refused even with the studio’s session cookie in the browser', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(team.url);
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-password').press('Enter');
    await page.getByTestId('user-menu').waitFor({ timeout: 10000 });
    const cookie = (await context.cookies(team.url)).find((c) => c.name === 'orch_session');
    expect(cookie).toBeDefined();
    await submit(team, { cookie: `${cookie!.name}=${cookie!.value}` });
    const wsUrl = `${team.wsUrl}/api/ws?since=0-0`;

    const own = await openFromPage(page, wsUrl);
    expect(own).toContain('message');

    const other = await context.newPage();
    await expectRefused(other, wsUrl);
    await context.close();
  });
});
