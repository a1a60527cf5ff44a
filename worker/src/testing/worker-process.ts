import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/*
 * A worker as its own process (worker-child.ts), for tests that run several or kill one. Its config
 * comes from `env` like main.ts's; `CHILD_LOG=1` copies its log to the test's stderr.
 */

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface WorkerProcess {
  proc: ChildProcess;
  /** The worker id it printed once ready. */
  id: string;
  /** SIGKILL (a crash) or SIGTERM (a graceful stop); resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  readonly alive: boolean;
}

export function spawnWorker(env: Record<string, string>, startMs = 20000): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] }); // stdin: the child exits when we do (worker-child.ts)
  let stderr = '';
  let stdout = '';
  if (process.env.CHILD_LOG) proc.stdout!.on('data', (d: Buffer) => process.stderr.write(`[child ${proc.pid}] ${d.toString()}`));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!alive()) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker child did not start: ${stderr}`)), startMs);
    proc.stdout!.on('data', function ready(d: Buffer) {
      stdout += d.toString();
      const id = /ready (\S+)/.exec(stdout)?.[1];
      if (!id) return;
      clearTimeout(timer);
      proc.stdout!.off('data', ready);
      proc.stdout!.resume();
      resolve({ proc, id, stop, get alive() { return alive(); } });
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker child exited (${code}): ${stderr}`));
    });
  });
}
