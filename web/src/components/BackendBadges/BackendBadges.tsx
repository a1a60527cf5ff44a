import type { BackendStatus } from '@orchestrator/shared';
import { useBackends } from '../../hooks/useBackends';
import { formatVram } from '../../lib/format';
import styles from './BackendBadges.module.css';

function gpuLabel(b: BackendStatus): string | null {
  const gpu = b.devices.find((d) => d.type !== 'cpu') ?? b.devices[0];
  if (!gpu) return null;
  // ComfyUI names devices like "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync".
  const name = gpu.name
    .replace(/^cuda:\d+\s*/, '')
    .replace(/\s*:\s*\w+$/, '')
    .replace(/^NVIDIA (GeForce )?/, '');
  const vram = formatVram(gpu.vramTotal);
  return vram ? `${name} · ${vram}` : name;
}

function Badge({ backend }: { backend: BackendStatus }) {
  const gpu = gpuLabel(backend);
  const state = backend.online ? 'online' : 'offline';
  const title = [
    backend.url,
    ...backend.devices.map((d) => d.name),
    backend.version ? `ComfyUI ${backend.version}` : null,
    backend.queueRemaining !== undefined ? `${backend.queueRemaining} in its queue` : null,
    backend.error ? `Error: ${backend.error}` : null,
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <li className={styles.badge} data-testid="backend-badge" data-online={backend.online} title={title}>
      <span className={styles.dot} data-state={state} aria-hidden="true" />
      <span className={styles.name}>{backend.id}</span>
      <span className={styles.state}>{state}</span>
      {backend.simulated && <span className={styles.simulated}>simulated</span>}
      {gpu && <span className={styles.gpu}>{gpu}</span>}
    </li>
  );
}

/** One badge per configured ComfyUI backend: online or not, simulated or real, and its GPU. */
export function BackendBadges() {
  const { data, error, isPending } = useBackends();
  // The form explains a failed load next to the Generate button.
  if (error) return null;
  if (isPending) return <p className={styles.note}>Checking backends…</p>;
  if (!data || data.length === 0) return null;
  return (
    <ul className={styles.list} aria-label="Backends">
      {data.map((b) => (
        <Badge key={b.id} backend={b} />
      ))}
    </ul>
  );
}
