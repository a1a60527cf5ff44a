import { familyLabel } from './modelLabels';
import styles from './ModelPicker.module.css';

/** The detected model family as a small coloured tag; the title says how it was detected. */
export function FamilyBadge({ family, title }: { family: string; title?: string | undefined }) {
  return (
    <span className={styles.badge} data-family={family} title={title}>
      {familyLabel(family)}
    </span>
  );
}
