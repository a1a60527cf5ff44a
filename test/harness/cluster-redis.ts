/*
 * A private Redis in cluster mode: one node that owns all 16384 slots, for tests that prove the product
 * is Cluster-safe. A plain client works against it (no slot lives elsewhere, so nothing is MOVED), but
 * it refuses what a real Cluster refuses: a command, transaction or script whose keys hash to different
 * slots (CROSSSLOT). (Redis 7.0 owning every slot lets a script touch an undeclared key: the static audit
 * in test/contracts/lua-scripts.test.ts covers that.) Needs `redis-server`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version']).status === 0;

export interface ClusterRedis {
  url: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startClusterRedis(): Promise<ClusterRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orch-cluster-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf'), '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; !(await listening(port)); i++) {
    if (i > 100) throw new Error('the cluster-mode Redis did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const admin = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    for (let i = 0; !String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok'); i++) {
      if (i > 100) throw new Error('the cluster-mode Redis did not reach cluster_state:ok');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    admin.disconnect();
  }
  return {
    url,
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
