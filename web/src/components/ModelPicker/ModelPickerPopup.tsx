import { useCallback, useEffect, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import type { ModelInfo } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { loaderName, useModelList, type ModelListFilters } from '../../hooks/useModels';
import { useSettled } from '../../hooks/useSettled';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { nextIndex } from './listNavigation';
import { ModelListbox, type ScrollRequest } from './ModelListbox';
import { ROW_HEIGHT } from './ModelOption';
import { ALL_FOLDERS, FAMILIES, familyLabel, folderLabel } from './modelLabels';
import { usePopoverPlacement } from './usePopoverPlacement';
import styles from './ModelPicker.module.css';

const SEARCH_DEBOUNCE_MS = 250;
/** Phones and narrow windows get a full-screen sheet instead of a popover. */
const SHEET_QUERY = '(max-width: 640px)';

interface Props {
  id: string;
  label: string;
  anchorRef: RefObject<HTMLElement | null>;
  /** The folders to offer; undefined: all of them. */
  folders: readonly string[] | undefined;
  /** A family every result must have (the family filter is then hidden). */
  family: string | undefined;
  /** Families matter to this choice: a family filter, and an "Unknown" badge on models without one. */
  familyFilter: boolean;
  /** The family filter's first choice. */
  defaultFamily: string | undefined;
  /** The file the form has now. */
  value: string;
  initialText: string;
  onPick: (model: ModelInfo) => void;
  onClose: (returnFocus: boolean) => void;
}

interface Move {
  /** The filters the move was made under; new filters start again from the top. */
  key: string;
  index: number;
  by: 'keyboard' | 'pointer';
}

/**
 * The picker's popup: a search box that drives a virtual listbox (ARIA combobox pattern, focus stays
 * in the box and aria-activedescendant names the active option), folder chips and a family filter.
 * The server searches (`q`) and pages (`cursor`); this component never holds more than what was
 * scrolled through.
 */
export function ModelPickerPopup({ id, label, anchorRef, folders, family, familyFilter, defaultFamily, value, initialText, onPick, onClose }: Props) {
  const sheet = useMediaQuery(SHEET_QUERY);
  const popupRef = useRef<HTMLDivElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const placement = usePopoverPlacement(anchorRef, popupRef, !sheet);

  const [text, setText] = useState(initialText);
  const q = useSettled(text.trim(), SEARCH_DEBOUNCE_MS);
  const [folder, setFolder] = useState<string | undefined>(undefined);
  const [familyChoice, setFamilyChoice] = useState<string | undefined>(familyFilter ? defaultFamily : undefined);
  const filters: ModelListFilters = useMemo(() => ({ folders, folder, family: family ?? familyChoice, q }), [folders, folder, family, familyChoice, q]);
  const filterKey = JSON.stringify(filters);
  const list = useModelList(filters);
  const { items, total, hasNextPage, isFetchingNextPage, isFetchNextPageError, isPlaceholderData, fetchNextPage } = list;
  const count = hasNextPage ? Math.max(total, items.length + 1) : items.length;

  const isCurrent = useCallback((m: ModelInfo) => loaderName(m) === value && (!folders || folders.includes(m.folder)), [value, folders]);
  const currentIndex = useMemo(() => items.findIndex(isCurrent), [items, isCurrent]);
  const [moved, setMoved] = useState<Move | null>(null);
  const own = moved?.key === filterKey ? moved : null;
  const activeIndex = count === 0 ? -1 : Math.min(own ? own.index : Math.max(currentIndex, 0), count - 1);
  // Until the user moves, the list shows the current model (or the top, again after each change of
  // filters); then it follows the keyboard.
  const scrollTo: ScrollRequest | null = useMemo(
    () => (own ? (own.by === 'keyboard' ? { index: own.index } : null) : { index: Math.max(currentIndex, 0), cause: filterKey }),
    [own, currentIndex, filterKey],
  );

  const onNeedMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !isFetchNextPageError && !isPlaceholderData) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, isPlaceholderData, fetchNextPage]);
  const onHover = useCallback((index: number) => setMoved({ key: filterKey, index, by: 'pointer' }), [filterKey]);

  useEffect(() => {
    searchRef.current?.focus({ preventScroll: true });
  }, []);

  useEffect(() => {
    const onPointerDown = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!popupRef.current?.contains(target) && !anchorRef.current?.contains(target)) onClose(false);
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    return () => document.removeEventListener('pointerdown', onPointerDown, true);
  }, [anchorRef, onClose]);

  const onSearchKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing) return;
    // Home and End move in the list, not the caret: the query is short and the list is the point.
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT) / ROW_HEIGHT) - 1);
    const to = nextIndex(e.key, activeIndex, count, page);
    if (to !== null && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      setMoved({ key: filterKey, index: to, by: 'keyboard' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const model = items[activeIndex];
      if (model) onPick(model);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // The popup is its own surface: its keys must not reach the form around the trigger (Ctrl+Enter).
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose(true);
    }
  };

  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    const next = e.relatedTarget as Node | null;
    if (next && !popupRef.current?.contains(next) && !anchorRef.current?.contains(next)) onClose(false);
  };

  const folderChips = folders ?? ALL_FOLDERS;
  const activeId = activeIndex >= 0 && activeIndex < count ? `${id}-list-${activeIndex}` : undefined;
  const style = sheet ? undefined : (placement ?? { top: 0, left: 0, opacity: 0 });
  const searching = list.isFetching && isPlaceholderData;
  const failed = list.isError && !list.data;
  const empty = !list.isPending && !failed && count === 0;
  const showList = !failed && !empty;

  return createPortal(
    <div
      ref={popupRef}
      id={id}
      role="dialog"
      aria-label={label}
      aria-modal={sheet || undefined}
      className={sheet ? styles.sheet : styles.popover}
      style={style}
      data-testid="model-picker"
      onKeyDown={onKeyDown}
      onBlur={onBlur}
    >
      {sheet && (
        <div className={styles.sheetHeader}>
          <h2 className={styles.sheetTitle}>{label}</h2>
          <button type="button" className={styles.close} onClick={() => onClose(true)}>
            Close
          </button>
        </div>
      )}
      <input
        ref={searchRef}
        type="text"
        role="combobox"
        aria-label={`Search ${label.toLowerCase()}`}
        aria-expanded="true"
        aria-controls={showList ? `${id}-list` : undefined}
        aria-autocomplete="list"
        aria-activedescendant={activeId}
        autoComplete="off"
        spellCheck={false}
        enterKeyHint="search"
        maxLength={200}
        className={styles.search}
        placeholder={familyFilter ? 'Search by name, file, trigger word…' : 'Search by name or file…'}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onSearchKeyDown}
        data-testid="model-search"
      />
      <div className={styles.filters}>
        {folderChips.length > 1 && (
          <div className={styles.chips} role="group" aria-label="Folder">
            {[undefined, ...folderChips].map((f) => (
              <button
                key={f ?? 'all'}
                type="button"
                className={styles.chip}
                aria-pressed={folder === f}
                onClick={() => setFolder(f)}
                data-testid={`model-folder-${f ?? 'all'}`}
              >
                {f ? folderLabel(f) : 'All'}
              </button>
            ))}
          </div>
        )}
        {familyFilter && !family && (
          <select
            className={styles.familySelect}
            aria-label="Family"
            value={familyChoice ?? ''}
            onChange={(e) => setFamilyChoice(e.target.value || undefined)}
            data-testid="model-family-filter"
          >
            <option value="">Any family</option>
            {FAMILIES.map((f) => (
              <option key={f} value={f}>
                {familyLabel(f)}
              </option>
            ))}
          </select>
        )}
      </div>
      <div className={styles.status} role="status" data-testid="model-count">
        {list.isPending ? 'Loading models…' : failed ? 'Models could not be loaded' : countText(total, q)}
        {searching && <span className={styles.faint}> · searching…</span>}
        {isFetchNextPageError && (
          <>
            {' '}
            · more could not be loaded.{' '}
            <button type="button" className={styles.linkButton} onClick={() => void fetchNextPage()}>
              Retry
            </button>
          </>
        )}
      </div>
      {failed ? (
        <div className={styles.message} role="alert">
          <p>{errorMessage(list.error)}</p>
          <button type="button" className={styles.linkButton} onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      ) : empty ? (
        <div className={styles.message} data-testid="model-empty">
          <p>
            {q ? `No model matches “${q}”.` : folder ? `No models in ${folderLabel(folder)}.` : 'No models here yet.'}
            {familyChoice && !family && ` Only ${familyLabel(familyChoice)} ones are shown: choose “Any family” to see all.`}
          </p>
          <p className={styles.faint}>Files under MODELS_PATH and the models the backends report are listed here.</p>
        </div>
      ) : (
        <ModelListbox
          listId={`${id}-list`}
          label={label}
          scrollRef={scrollRef}
          items={items}
          count={list.isPending ? 6 : count}
          activeIndex={list.isPending ? -1 : activeIndex}
          scrollTo={scrollTo}
          isCurrent={isCurrent}
          showUnknownFamily={familyFilter}
          onNeedMore={onNeedMore}
          onPick={onPick}
          onHover={onHover}
        />
      )}
    </div>,
    document.body,
  );
}

function countText(total: number, q: string): string {
  const n = `${total.toLocaleString('en')} ${total === 1 ? 'model' : 'models'}`;
  return q ? `${n} matching “${q}”` : n;
}
