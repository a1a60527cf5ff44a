import styles from './SiteCard.module.css';

/** Two hues from the title, so each site keeps its own colours. */
function hues(title: string): [number, number] {
  let h = 2166136261;
  for (let i = 0; i < title.length; i++) h = Math.imul(h ^ title.charCodeAt(i), 16777619);
  const a = (h >>> 0) % 360;
  return [a, (a + 40 + ((h >>> 9) % 80)) % 360];
}

/** A site without a screenshot: a card drawn from its title (a browser frame, the title as its heading). */
export function SiteCard({ title, large = false }: { title: string; large?: boolean }) {
  const [a, b] = hues(title);
  return (
    <span className={styles.card} data-testid="site-card" data-size={large ? 'large' : 'tile'} style={{ background: `linear-gradient(135deg, hsl(${a} 55% 32%), hsl(${b} 60% 22%))` }} aria-hidden="true">
      <span className={styles.chrome}>
        <i />
        <i />
        <i />
      </span>
      <span className={styles.title}>{title}</span>
      <span className={styles.lines}>
        <i />
        <i />
      </span>
    </span>
  );
}
