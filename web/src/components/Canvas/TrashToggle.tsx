import { useGalleryUi } from '../../state/gallery';
import styles from './Canvas.module.css';

export const TRASH_TOGGLE_ID = 'trash-toggle';

/** Opens the trash view (deleted items: restore, delete forever, empty). */
export function TrashToggle() {
  const open = useGalleryUi((s) => s.trashOpen);
  const setOpen = useGalleryUi((s) => s.setTrashOpen);
  return (
    <button type="button" id={TRASH_TOGGLE_ID} className={styles.trashToggle} data-testid="trash-toggle" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(true)}>
      Trash
    </button>
  );
}
