import type { LoraRef } from '@orchestrator/shared';
import styles from './Inspector.module.css';

/** `name:strength, …`, as generation metadata writes the LoRAs (and the copy button copies them). */
export function lorasText(loras: readonly LoraRef[] | undefined): string | undefined {
  return loras && loras.length > 0 ? loras.map((l) => `${l.name}:${l.strength}`).join(', ') : undefined;
}

/** The LoRAs of a job or asset, one a line in the order they were applied, each with its strength. */
export function LoraList({ loras }: { loras: readonly LoraRef[] }) {
  return (
    <ol className={styles.loras} data-testid="inspector-loras">
      {loras.map((l, i) => (
        <li key={`${i}:${l.name}`}>
          <span className={styles.loraName}>{l.name}</span>
          <span className={styles.loraStrength} aria-label={`strength ${l.strength}`}>
            {l.strength}
          </span>
        </li>
      ))}
    </ol>
  );
}
