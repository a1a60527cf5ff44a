import { useMemo, useState, type DragEvent } from 'react';
import {
  SLOT_LABELS,
  SLOT_NAME_PATTERN,
  SLOT_PARAMS,
  TEXT_SLOTS,
  isKnownSlot,
  slotLabel,
  type SlotParam,
  type WorkflowCheck,
  type WorkflowGraph,
  type WorkflowInput,
  type WorkflowSlot,
} from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useModalDialog } from '../../hooks/useModalDialog';
import { useImportWorkflow, useSaveWorkflow, useWorkflow } from '../../hooks/useWorkflows';
import { WorkflowProblems } from '../WorkflowProblems/WorkflowProblems';
import styles from './WorkflowEditor.module.css';

export type EditorTarget = { mode: 'import' } | { mode: 'edit'; id: string };

interface Props {
  target: EditorTarget;
  onClose: () => void;
  onSaved: (id: string) => void;
}

/** What the editor works on, whether it came from an import or a saved workflow. */
interface Loaded {
  name: string;
  kind: 'image' | 'video';
  graph: WorkflowGraph;
  inputs: WorkflowInput[];
  slots: WorkflowSlot[];
  check: WorkflowCheck;
}

const NUMBER_SLOTS = SLOT_PARAMS.filter((p) => !TEXT_SLOTS.includes(p));
const OWN = '__own';
const NAME_RE = new RegExp(SLOT_NAME_PATTERN);

/** A slot name of the input's own: its input name made a valid slot name, unique among the others. */
function ownName(input: WorkflowInput, taken: ReadonlySet<string>): string {
  const base = /^[A-Za-z]/.test(input.input) ? input.input.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 48) : `slot_${input.input.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 48);
  if (!taken.has(base) && !isKnownSlot(base)) return base;
  const withNode = `${base}_${input.nodeId.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 64);
  for (let i = 2; ; i++) {
    const name = i === 2 ? withNode : `${withNode}_${i}`;
    if (!taken.has(name) && !isKnownSlot(name)) return name;
  }
}
const keyOf = (nodeId: string, input: string) => `${nodeId}\u0000${input}`;
const stem = (fileName: string) => fileName.replace(/\.[^.]+$/, '').slice(0, 100) || 'Imported workflow';

function showValue(v: string | number | boolean): string {
  const s = typeof v === 'string' ? v : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/**
 * Import a ComfyUI workflow (API JSON or a PNG ComfyUI saved) or edit a saved one: its literal inputs
 * are listed and the user marks which are the prompt, seed, steps, input image… slots.
 */
export function WorkflowEditor({ target, onClose, onSaved }: Props) {
  const modal = useModalDialog(onClose);
  const importer = useImportWorkflow();
  const saved = useWorkflow(target.mode === 'edit' ? target.id : null);
  const [draft, setDraft] = useState<Loaded | null>(null);
  const [dragging, setDragging] = useState(false);


  const readFile = (file: File | undefined) => {
    if (!file) return;
    importer.mutate({ file, name: stem(file.name) }, { onSuccess: (d) => setDraft(d) });
  };
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    readFile(e.dataTransfer.files[0]);
  };
  const source = target.mode === 'edit' ? saved.data : draft;

  return (
    <dialog
      {...modal}
      className={styles.dialog}
      data-testid="workflow-editor"
      aria-labelledby="workflow-editor-title"
    >
      <header className={styles.header}>
        <h2 id="workflow-editor-title" className={styles.title}>
          {target.mode === 'edit' ? 'Edit workflow' : 'Import a ComfyUI workflow'}
        </h2>
        <button type="button" className={styles.close} onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>

      {target.mode === 'import' && !draft && (
        <div
          className={`${styles.drop} ${dragging ? styles.dragging : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <p>Drop an API-format workflow JSON (Workflow → Export (API) in ComfyUI) or a PNG that ComfyUI saved.</p>
          <label className={styles.button}>
            {importer.isPending ? 'Reading…' : 'Choose a file'}
            <input
              type="file"
              accept=".json,application/json,.png,image/png"
              className={styles.fileInput}
              data-testid="workflow-file"
              onChange={(e) => readFile(e.target.files?.[0])}
              disabled={importer.isPending}
            />
          </label>
          {importer.error && (
            <p className={styles.error} role="alert">
              {errorMessage(importer.error)}
            </p>
          )}
        </div>
      )}
      {target.mode === 'edit' && !source && (saved.error ? <p className={styles.error}>{errorMessage(saved.error)}</p> : <p className={styles.muted}>Loading…</p>)}
      {source && <SlotEditor source={source} target={target} onClose={onClose} onSaved={onSaved} />}
    </dialog>
  );
}

/** The inputs table: the user marks slots and names the workflow; Save stores it. */
function SlotEditor({ source, target, onClose, onSaved }: Props & { source: Loaded }) {
  const save = useSaveWorkflow();
  const [name, setName] = useState(source.name);
  const [slots, setSlots] = useState<Map<string, string>>(() => new Map(source.slots.map((s) => [keyOf(s.nodeId, s.input), s.param])));
  const [filter, setFilter] = useState('');
  const [markedOnly, setMarkedOnly] = useState(false);

  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return source.inputs.filter((i) => {
      if (markedOnly && !slots.has(keyOf(i.nodeId, i.input))) return false;
      if (!q) return true;
      return [i.nodeId, i.classType, i.title ?? '', i.input, String(i.value)].some((s) => s.toLowerCase().includes(q));
    });
  }, [source, filter, markedOnly, slots]);

  const mark = (input: WorkflowInput, choice: string) => {
    setSlots((prev) => {
      const next = new Map(prev);
      const key = keyOf(input.nodeId, input.input);
      if (choice === '') next.delete(key);
      else if (choice === OWN) {
        const current = next.get(key);
        if (current === undefined || isKnownSlot(current)) next.set(key, ownName(input, new Set(next.values())));
      } else next.set(key, choice);
      return next;
    });
  };
  const rename = (input: WorkflowInput, name: string) => setSlots((prev) => new Map(prev).set(keyOf(input.nodeId, input.input), name));
  const marked = new Set(slots.values());
  const badName = [...marked].find((n) => !NAME_RE.test(n));

  const submit = () => {
    if (save.isPending || badName !== undefined) return;
    const slotList: WorkflowSlot[] = [...slots.entries()].map(([key, param]) => {
      const [nodeId, input] = key.split('\u0000') as [string, string];
      return { param, nodeId, input };
    });
    const body = { name: name.trim() || 'Workflow', slots: slotList };
    save.mutate(target.mode === 'edit' ? { id: target.id, update: body } : { create: { ...body, graph: source.graph } }, {
      onSuccess: (w) => onSaved(w.id),
    });
  };

  return (
    <>
      <div className={styles.meta}>
        <label className={styles.nameField}>
          <span>Name</span>
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} data-testid="workflow-name" />
        </label>
        <span className={styles.kind}>{source.kind === 'video' ? 'Makes a video' : 'Makes images'}</span>
      </div>
      <CheckSummary check={source.check} />
      <p className={styles.muted}>
        Mark the inputs a run should fill in; the others keep the value shown. Marked:{' '}
        {marked.size === 0 ? 'none' : [...marked].map((p) => slotLabel(p)).join(', ')}. Any value can be a slot of its own: the run form then
        offers it with the type, range and choices the backend reports for that input.
        {!marked.has('prompt') && source.kind === 'image' && ' No prompt slot: every run uses the text saved in the graph.'}
      </p>
      <div className={styles.tools}>
        <input type="search" placeholder="Filter inputs (node, input, value)" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter inputs" />
        <label className={styles.toggle}>
          <input type="checkbox" checked={markedOnly} onChange={(e) => setMarkedOnly(e.target.checked)} /> Marked only
        </label>
      </div>
      <div className={styles.table} role="table" aria-label="Workflow inputs">
        <div className={`${styles.row} ${styles.head}`} role="row">
          <span role="columnheader">Node</span>
          <span role="columnheader">Input</span>
          <span role="columnheader">Value</span>
          <span role="columnheader">Slot</span>
        </div>
        {rows.map((i) => {
          const key = keyOf(i.nodeId, i.input);
          const options: readonly SlotParam[] = typeof i.value === 'string' ? TEXT_SLOTS : typeof i.value === 'number' ? NUMBER_SLOTS : [];
          const id = `slot-${i.nodeId}-${i.input}`;
          const current = slots.get(key);
          const own = current !== undefined && !isKnownSlot(current);
          return (
            <div key={key} className={`${styles.row} ${slots.has(key) ? styles.marked : ''}`} role="row" data-testid="workflow-input">
              <span role="cell" className={styles.node} title={i.title ?? i.classType}>
                #{i.nodeId} {i.classType}
                {i.title && i.title !== i.classType ? <em> · {i.title}</em> : null}
              </span>
              <span role="cell" className={styles.input}>
                {i.input}
              </span>
              <span role="cell" className={styles.value} title={String(i.value)}>
                {showValue(i.value)}
              </span>
              <span role="cell" className={styles.slot}>
                <label htmlFor={id} className="visually-hidden">
                  Slot for {i.classType} #{i.nodeId} {i.input}
                </label>
                <select id={id} value={own ? OWN : (current ?? '')} onChange={(e) => mark(i, e.target.value)}>
                  <option value="">—</option>
                  {options.map((p) => (
                    <option key={p} value={p}>
                      {SLOT_LABELS[p]}
                    </option>
                  ))}
                  <option value={OWN}>Its own slot…</option>
                </select>
                {own && (
                  <>
                    <label htmlFor={`${id}-name`} className="visually-hidden">
                      Name of the slot for {i.classType} #{i.nodeId} {i.input}
                    </label>
                    <input
                      id={`${id}-name`}
                      className={styles.slotName}
                      value={current}
                      maxLength={64}
                      onChange={(e) => rename(i, e.target.value)}
                      aria-invalid={!NAME_RE.test(current) || undefined}
                      title="Letters, digits and _; starts with a letter"
                      data-testid="slot-name"
                    />
                  </>
                )}
              </span>
            </div>
          );
        })}
        {rows.length === 0 && <p className={styles.muted}>No inputs match.</p>}
      </div>
      {badName !== undefined && (
        <p className={styles.error} role="alert">
          Slot name “{badName}”: use letters, digits and _, starting with a letter.
        </p>
      )}
      {save.error && (
        <p className={styles.error} role="alert">
          {errorMessage(save.error)}
        </p>
      )}
      <div className={styles.actions}>
        <button type="button" className={styles.button} onClick={onClose}>
          Cancel
        </button>
        <button type="button" className={`${styles.button} ${styles.primary}`} onClick={submit} disabled={save.isPending || badName !== undefined} data-testid="workflow-save">
          {save.isPending ? 'Saving…' : 'Save workflow'}
        </button>
      </div>
    </>
  );
}

function CheckSummary({ check }: { check: WorkflowCheck }) {
  if (!check.checked) return <p className={styles.muted}>No backend is online, so the graph was not checked against its nodes and models yet.</p>;
  if (check.problems.length === 0) return <p className={styles.ok}>The backend has every node and model this workflow uses.</p>;
  return <WorkflowProblems problems={check.problems} title="The backend cannot run this workflow as it is:" />;
}
