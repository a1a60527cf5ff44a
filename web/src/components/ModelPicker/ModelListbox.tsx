import { useEffect, type RefObject } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ModelInfo } from '@orchestrator/shared';
import { ModelOption, ROW_HEIGHT } from './ModelOption';
import styles from './ModelPicker.module.css';

/** Ask for the next page while this many loaded rows are still below the view. */
const LOAD_AHEAD = 40;

/** A request to bring an option into view; each new object is a new request, even for the same index. */
export interface ScrollRequest {
  index: number;
  /** What asked (e.g. the filters the list was opened under), for whoever reads the request. */
  cause?: string;
}

interface Props {
  listId: string;
  label: string;
  scrollRef: RefObject<HTMLDivElement | null>;
  items: readonly ModelInfo[];
  /** Rows to lay out: the loaded ones plus those known to exist but not fetched yet. */
  count: number;
  activeIndex: number;
  scrollTo: ScrollRequest | null;
  isCurrent: (model: ModelInfo) => boolean;
  showUnknownFamily: boolean;
  /** Called while the rows in view reach past the loaded ones. */
  onNeedMore: () => void;
  onPick: (model: ModelInfo) => void;
  onHover: (index: number) => void;
}

/**
 * The options of the model picker, virtualized: only the rows in view (and a few around them) are in
 * the DOM, so 5,000 LoRAs cost what 20 do. Each row says its place in the whole list (aria-posinset).
 */
export function ModelListbox({ listId, label, scrollRef, items, count, activeIndex, scrollTo, isCurrent, showUnknownFamily, onNeedMore, onPick, onHover }: Props) {
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's functions are not memoized for the compiler; this component is not compiled
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const rows = virtualizer.getVirtualItems();
  const lastInView = rows[rows.length - 1]?.index ?? -1;

  useEffect(() => {
    if (scrollTo && scrollTo.index < count) virtualizer.scrollToIndex(scrollTo.index, { align: 'auto' });
  }, [scrollTo, count, virtualizer]);

  useEffect(() => {
    if (count > items.length && lastInView >= items.length - LOAD_AHEAD) onNeedMore();
  }, [lastInView, items.length, count, onNeedMore]);

  return (
    // The scroller asks for every row's height and shrinks to what the popup has room for.
    <div ref={scrollRef} className={styles.scroller} style={{ height: virtualizer.getTotalSize() }}>
      <div id={listId} role="listbox" aria-label={label} className={styles.listbox} style={{ height: virtualizer.getTotalSize() }} data-testid="model-listbox">
        {rows.map((row) => {
          const model = items[row.index];
          return (
            <ModelOption
              key={model?.id ?? `placeholder-${row.index}`}
              id={`${listId}-${row.index}`}
              model={model}
              index={row.index}
              setSize={count}
              top={row.start}
              active={row.index === activeIndex}
              current={model ? isCurrent(model) : false}
              showUnknownFamily={showUnknownFamily}
              onPick={onPick}
              onHover={onHover}
            />
          );
        })}
      </div>
    </div>
  );
}
