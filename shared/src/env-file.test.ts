import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnvFile } from './env-file.js';

const NAMES = ['ORCH_ENV_FILE_TEST_A', 'ORCH_ENV_FILE_TEST_B', 'ORCH_ENV_FILE_TEST_C'] as const;
let dir: string | undefined;

afterEach(async () => {
  for (const n of NAMES) delete process.env[n];
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('loadEnvFile', () => {
  it('reads a dotenv file without overriding what the environment already sets', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'orch-env-'));
    const file = path.join(dir, '.env');
    await writeFile(file, `# a comment\nexport ${NAMES[0]}=one\n${NAMES[1]}="two words"\n${NAMES[2]}=from-file\n`);
    process.env[NAMES[2]] = 'from-environment';
    expect(loadEnvFile(file)).toBe(true);
    expect(process.env[NAMES[0]]).toBe('one');
    expect(process.env[NAMES[1]]).toBe('two words');
    expect(process.env[NAMES[2]]).toBe('from-environment');
  });

  it('is no error when there is no file', () => {
    expect(loadEnvFile(path.join(tmpdir(), 'orch-no-such-dir', '.env'))).toBe(false);
  });
});
