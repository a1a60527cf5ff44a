import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { V0SiteManifest } from '@orchestrator/shared';
import { startFakeV0, type FakeV0 } from '../../../../test/fakes/v0/index.js';
import { JobFailure } from '../../errors.js';
import { runContext, siteJob, tempOutput, v0Config } from '../../testing/v0-site.js';
import { createV0Provider } from './index.js';
import { MemoryV0TaskStore } from './task-store.js';

/* Deploying a saved version through v0's deployments API: the URL lands on the version and the asset. */

let fake: FakeV0;
let out: Awaited<ReturnType<typeof tempOutput>>;
const tuning = { pollInitialMs: 5, pollMaxMs: 20, deadlineMs: 10_000 };

beforeAll(async () => {
  fake = await startFakeV0({ pendingPolls: 1 });
  out = await tempOutput();
});
afterAll(async () => {
  await fake.close();
  await out.remove();
});

const provider = () => createV0Provider(v0Config(out.outputPath, fake), { tasks: new MemoryV0TaskStore(), tuning });
const manifestOf = async (chatId: string): Promise<V0SiteManifest> =>
  JSON.parse(await readFile(path.join(out.outputPath, 'sites', chatId, 'site.json'), 'utf8')) as V0SiteManifest;

describe('v0 provider: deploy', () => {
  it('saves a screenshot for a new version and deploys it: the deployment URL is on the version and the asset', async () => {
    const p = provider();
    const site = (await p.run(siteJob({ prompt: 'a flower shop' }), runContext().ctx)).assets[0]!;
    const chatId = site.site!.chatId;
    const versionId = site.site!.versionId;
    expect(site.screenshot).toMatch(new RegExp(`^sites/${chatId}/\\.screenshots/${versionId}\\.png$`));
    const { ctx, progress } = runContext();
    const deployed = (await p.run(siteJob({ prompt: 'deploy', deploy: { chatId, versionId } }), ctx)).assets[0]!;
    const url = deployed.site!.deploymentUrl!;
    expect(url).toMatch(/\/deployed\/dpl_/);
    expect(progress.at(-1)?.message).toBe(`Deployed: ${url}`);
    expect((await manifestOf(chatId)).versions[0]!.deployment).toMatchObject({ url, id: expect.stringMatching(/^dpl_/) });
    const page = await fetch(url);
    expect(await page.text()).toContain('A flower shop');
  });

  it("fails plainly with v0's message when v0 refuses (no Vercel integration), and for a version not saved here", async () => {
    const p = provider();
    const site = (await p.run(siteJob({ prompt: 'a tea house' }), runContext().ctx)).assets[0]!;
    fake.faults.deployError = { status: 403, message: 'No Vercel integration is connected to this account.' };
    const err = await p.run(siteJob({ prompt: 'deploy', deploy: { chatId: site.site!.chatId, versionId: site.site!.versionId } }), runContext().ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailure);
    expect((err as JobFailure).message).toBe('v0 refused the deployment: No Vercel integration is connected to this account.');
    expect((err as JobFailure).code).toBe('provider_forbidden');
    const missing = await p.run(siteJob({ prompt: 'deploy', deploy: { chatId: site.site!.chatId, versionId: 'notSaved' } }), runContext().ctx).catch((e: unknown) => e);
    expect((missing as JobFailure).code).toBe('not_found');
  });
});
