/*
 * The chat in the real page: commands typed with autocomplete (Tab, ↑/↓, Enter, Esc), highlighted as
 * they are typed, a /apex-comfy job card that follows its job to the finished image (which opens in the
 * inspector), a problem with the nearest valid form one click from the input, ↑ to recall, Shift+Enter
 * for a new line, a second tab seeing it all live, history after a reload, the form one click away, a
 * thread renamed, trashed and restored, an image dropped or pasted and made into a clip with /video, and
 * the phone's Chat tab. Screenshots go to SCREENSHOT_DIR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { DESKTOP, PHONE, openPage, shoot } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { DEFAULT_CHECKPOINTS } from '../fakes/comfyui/index.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('browser-chat', { comfy: { stepMs: 60, checkpoints: [...DEFAULT_CHECKPOINTS, 'svd_xt.safetensors'] } });
  browser = await launchChromium();
  await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend online');
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const input = (page: Page) => page.getByTestId('chat-input');
const suggestions = (page: Page) => page.getByTestId('chat-suggestion');
const labels = async (page: Page) => (await suggestions(page).allTextContents()).map((t) => t.trim());
const lastReply = (page: Page) => page.locator('[data-testid="chat-message"][data-role="assistant"]').last();

describe('the chat sidebar', () => {
  it('completes commands, flags and model names from the keyboard, and runs /apex-comfy to a finished image card', async () => {
    const { page, errors } = await openPage(browser, stack.url, DESKTOP);
    await input(page).click();
    await page.keyboard.type('/ap');
    await waitFor(async () => (await labels(page)).length === 2, 5000, 'command suggestions');
    const commands = await labels(page);
    expect(commands[0]).toMatch(/^\/apex-comfy/);
    expect(commands[1]).toMatch(/^\/apex-flux/);
    // ↓ moves to the second, ↑ back to the first; Tab takes it.
    await page.keyboard.press('ArrowDown');
    await expect(suggestions(page).nth(1).getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Tab');
    await expect(input(page).inputValue()).resolves.toBe('/apex-comfy ');
    // The model list comes up at once; typing narrows it; Enter takes it.
    await page.keyboard.type('sd');
    await waitFor(async () => (await labels(page)).some((l) => l.startsWith('sd_xl_base_1.0')), 10000, 'model suggestions');
    await page.keyboard.press('Enter');
    await expect(input(page).inputValue()).resolves.toBe('/apex-comfy sd_xl_base_1.0.safetensors ');
    await page.keyboard.type('a lighthouse at dusk --st');
    await waitFor(async () => (await labels(page)).some((l) => l.startsWith('--steps')), 5000, 'flag suggestions');
    // Esc closes the list; typing goes on.
    await page.keyboard.press('Escape');
    expect(await suggestions(page).count()).toBe(0);
    await page.keyboard.type('eps 6 --size 512x512 --ar');
    await page.keyboard.type(' ');
    await waitFor(async () => (await labels(page)).includes('16:9'), 5000, 'ratio suggestions');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    // The command is highlighted as it stands.
    const roles = await page.getByTestId('chat-highlight').locator('[data-role]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.role));
    expect(roles.slice(0, 4)).toEqual(['command', 'arg', 'flag', 'value']);
    await shoot(page, 'chat-typing.png');
    await page.keyboard.press('Enter');

    const card = page.getByTestId('chat-job-card').first();
    await card.waitFor({ timeout: 10000 });
    await waitFor(async () => (await card.getAttribute('data-status')) === 'completed', 30000, 'the card to complete');
    const result = card.getByTestId('chat-result').first();
    const img = result.locator('img');
    await waitFor(async () => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0), 10000, 'the image decoded');
    await expect(page.getByTestId('chat-thread-title').textContent()).resolves.toBe('a lighthouse at dusk');
    await result.click();
    await waitFor(async () => (await page.getByTestId('inspector').textContent())?.includes('a lighthouse at dusk'), 10000, 'the inspector to show the result');
    await shoot(page, 'chat-completed.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('puts a key typed in the same instant as accepting a suggestion after the inserted text', async () => {
    const { page, errors } = await openPage(browser, stack.url, DESKTOP);
    await input(page).click();
    await page.keyboard.type('/apex-comfy sd');
    await waitFor(async () => (await labels(page)).some((l) => l.startsWith('sd_xl_base_1.0')), 10000, 'model suggestions');
    // Enter takes the suggestion, and a letter arrives before the next frame (a fast typist, a busy machine).
    const value = await input(page).evaluate(async (el) => {
      const area = el as HTMLTextAreaElement;
      area.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      await Promise.resolve(); // React renders a keydown's update in a microtask; no frame has run yet
      document.execCommand('insertText', false, 'a');
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      document.execCommand('insertText', false, 'b');
      return area.value;
    });
    expect(value).toBe('/apex-comfy sd_xl_base_1.0.safetensors ab');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('answers a wrong command with the nearest form (one click puts it in the input), recalls with ↑, completes agent names, and takes Shift+Enter as a new line', async () => {
    const { page, errors } = await openPage(browser, stack.url, DESKTOP);
    await input(page).click();
    await page.keyboard.type('/apex-comfi sd15 a cat --stesp 3');
    await page.getByTestId('chat-problem').waitFor();
    await expect(page.getByTestId('chat-problem').textContent()).resolves.toContain('did you mean /apex-comfy?');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await lastReply(page).getAttribute('data-card')) === 'problem', 10000, 'the problem reply');
    await expect(lastReply(page).textContent()).resolves.toContain('did you mean /apex-comfy?');
    await lastReply(page).getByTestId('chat-suggest').first().click();
    await expect(input(page).inputValue()).resolves.toBe('/apex-comfy sd15 a cat --stesp 3');
    // ↑ in an empty input brings back what was sent last.
    await input(page).fill('');
    await page.keyboard.press('ArrowUp');
    await expect(input(page).inputValue()).resolves.toBe('/apex-comfi sd15 a cat --stesp 3');
    // Agent names complete after /agent-off.
    await input(page).fill('');
    await page.keyboard.type('/agent-off comf');
    await waitFor(async () => (await labels(page)).includes('comfyui-1'), 5000, 'agent suggestions');
    await page.keyboard.press('Escape');
    await input(page).fill('/help');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await expect(input(page).inputValue()).resolves.toBe('/help\nsecond line');
    await input(page).fill('/help');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await lastReply(page).getAttribute('data-card')) === 'help', 10000, 'the help card');
    await shoot(page, 'chat-problem-help.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a second tab the messages live, keeps the history across a reload, and keeps the form one click away', async () => {
    const one = await openPage(browser, stack.url, DESKTOP);
    const two = await openPage(browser, stack.url, DESKTOP);
    await one.page.getByTestId('chat-message').first().waitFor({ timeout: 10000 });
    await two.page.getByTestId('chat-message').first().waitFor({ timeout: 10000 });
    const before = await two.page.getByTestId('chat-message').count();
    await input(one.page).fill('/agent-list ws');
    await input(one.page).press('Enter');
    await waitFor(async () => (await two.page.getByTestId('chat-agents').count()) > 0, 10000, 'the agents card in the other tab');
    expect(await two.page.getByTestId('chat-message').count()).toBe(before + 2);

    await one.page.reload();
    await one.page.getByTestId('chat-agents').waitFor({ timeout: 10000 });
    await one.page.getByTestId('left-tab-form').click();
    await one.page.getByTestId('prompt-input').waitFor({ timeout: 10000 });
    expect(await one.page.getByTestId('chat-input').isVisible()).toBe(false);
    await one.page.getByTestId('left-tab-chat').click();
    await input(one.page).waitFor();
    expect(one.errors).toEqual([]);
    expect(two.errors).toEqual([]);
    await one.page.close();
    await two.page.close();
  });

  it('renames a thread, deletes it to the trash and restores it from there', async () => {
    const { page, errors } = await openPage(browser, stack.url, DESKTOP);
    await page.getByTestId('chat-new-thread').click();
    await input(page).fill('/help v0');
    await input(page).press('Enter');
    await waitFor(async () => (await lastReply(page).getAttribute('data-card')) === 'help', 10000, 'the help card');
    await page.getByTestId('chat-thread-title').click();
    await page.getByLabel('Thread title').fill('Sites to try');
    await page.getByLabel('Thread title').press('Enter');
    await waitFor(async () => (await page.getByTestId('chat-thread-title').textContent()) === 'Sites to try', 5000, 'the new title');

    await page.getByTestId('chat-threads-toggle').click();
    const item = page.getByTestId('chat-thread-item').filter({ hasText: 'Sites to try' });
    await item.waitFor();
    await page.getByRole('button', { name: 'Delete the thread “Sites to try”' }).click();
    await waitFor(async () => (await item.count()) === 0, 5000, 'the thread to leave the list');
    await page.getByTestId('chat-trash-toggle').click();
    const trashed = page.getByTestId('chat-trash').locator('li').filter({ hasText: 'Sites to try' });
    await trashed.waitFor({ timeout: 5000 });
    await shoot(page, 'chat-threads-trash.png');
    await trashed.getByTestId('chat-restore').click();
    // Restored: it opens again, with its messages.
    await waitFor(async () => (await page.getByTestId('chat-thread-title').textContent().catch(() => null)) === 'Sites to try', 5000, 'the restored thread to open');
    await lastReply(page).waitFor();
    expect(await lastReply(page).getAttribute('data-card')).toBe('help');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('attaches a dropped image and turns it into a clip with /video; a pasted one replaces it', async () => {
    const { page, errors } = await openPage(browser, stack.url, DESKTOP);
    await page.getByTestId('chat-new-thread').click();
    // A PNG made in the page, handed to the composer as a drop and then as a paste.
    const hand = (type: 'drop' | 'paste', name: string) =>
      page.evaluate(
        async ({ type, name }) => {
          const canvas = document.createElement('canvas');
          canvas.width = 64;
          canvas.height = 64;
          const ctx = canvas.getContext('2d')!;
          ctx.fillStyle = type === 'drop' ? '#2a7' : '#a27';
          ctx.fillRect(0, 0, 64, 64);
          const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
          const data = new DataTransfer();
          data.items.add(new File([blob], name, { type: 'image/png' }));
          if (type === 'drop') {
            const target = document.querySelector('[data-testid="chat-composer"]')!;
            target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
            target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
          } else {
            document.querySelector('[data-testid="chat-input"]')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
          }
        },
        { type, name },
      );
    await hand('drop', 'dropped.png');
    await waitFor(async () => (await page.getByTestId('chat-attachment').textContent().catch(() => ''))?.includes('dropped.png'), 10000, 'the dropped image attached');
    await hand('paste', 'pasted.png');
    await waitFor(async () => (await page.getByTestId('chat-attachment').textContent().catch(() => ''))?.includes('pasted.png'), 10000, 'the pasted image attached');
    await input(page).fill('/video --frames 4 --steps 2');
    await input(page).press('Enter');
    const card = page.getByTestId('chat-job-card').first();
    await card.waitFor({ timeout: 10000 });
    expect(await page.getByTestId('chat-attachment').count()).toBe(0);
    expect(await page.locator('[data-testid="chat-message"][data-role="user"] img').count()).toBe(1);
    await waitFor(async () => (await card.getAttribute('data-status')) === 'completed', 30000, 'the clip to complete');
    await expect(card.getByTestId('chat-result').first().textContent()).resolves.toContain('video');
    await shoot(page, 'chat-video.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is a tab on a phone, with the same thread and autocomplete', async () => {
    const { page, errors } = await openPage(browser, stack.url, PHONE);
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByTestId('chat-message').first().waitFor({ timeout: 10000 });
    const field = page.locator('#tabpanel-chat').getByTestId('chat-input');
    await field.click();
    await page.keyboard.type('/apex-flux a red fox --r');
    await waitFor(async () => (await labels(page)).some((l) => l.startsWith('--raw')), 5000, 'flag suggestions on the phone');
    await shoot(page, 'chat-phone.png');
    expect(errors).toEqual([]);
    await page.close();
  });
});
