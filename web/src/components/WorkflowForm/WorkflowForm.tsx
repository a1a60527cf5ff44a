import { useEffect, useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { checked, ComfyJobRequest, slotSpecs, slotValueProblem, type SlotSpec, type WorkflowDetails } from '@orchestrator/shared';
import { ApiError, errorMessage } from '../../api/client';
import { workflowKeys } from '../../api/workflows';
import { useCreateJob, useValidateJob } from '../../hooks/useJobActions';
import { useDeleteWorkflow, useWorkflow, useWorkflowList } from '../../hooks/useWorkflows';
import { startDownload } from '../../lib/download';
import { randomSeed } from '../../lib/request';
import { workflowProblemsOf, type WorkflowProblem } from '../../lib/workflowProblems';
import { confirmAction } from '../../state/confirm';
import { useModeDrafts, workflowRunDraft } from '../../state/modeDrafts';
import { useWorkflowChoice } from '../../state/workflowChoice';
import { Field } from '../GenerateForm/Field';
import formStyles from '../GenerateForm/GenerateForm.module.css';
import { ImageInput, type InputImage } from '../ImageInput/ImageInput';
import { SubmitRow } from '../SubmitRow/SubmitRow';
import { WorkflowEditor, type EditorTarget } from '../WorkflowEditor/WorkflowEditor';
import { WorkflowProblems } from '../WorkflowProblems/WorkflowProblems';
import styles from './WorkflowForm.module.css';

const comfyRequest = checked(ComfyJobRequest);
/** Slots that are fields of the request itself (the rest travel in `slots`, by name). */
const TOP_LEVEL: readonly string[] = ['prompt', 'negativePrompt', 'model', 'image'];

/** The specs the server sent, else (an older server) the ones the graph's values suggest. */
function specsOf(w: WorkflowDetails): SlotSpec[] {
  return w.slotSpecs ?? slotSpecs(w.graph, w.slots);
}

/** A typed field's text as the slot's value; undefined when left empty (the saved value is used). */
function parseSlot(spec: SlotSpec, text: string): string | number | boolean | undefined {
  if (spec.kind === 'boolean') return text === '' ? undefined : text === 'true';
  if (text.trim() === '') return undefined;
  if (spec.kind === 'int' || spec.kind === 'float') return Number(text);
  return spec.kind === 'text' ? text : text.trim();
}

const isGone = (err: unknown) => err instanceof ApiError && (err.status === 404 || err.code === 'unknown_workflow');

/**
 * Runs a saved custom workflow: one field per slot the user marked when importing it. When the chosen
 * workflow was deleted elsewhere (another tab, another user), the form says so and waits for another
 * choice: it never runs a different workflow in its place.
 */
export function WorkflowForm() {
  const list = useWorkflowList();
  const chosen = useWorkflowChoice((s) => s.id);
  const chosenName = useWorkflowChoice((s) => s.name);
  const choose = useWorkflowChoice((s) => s.choose);
  const [editor, setEditor] = useState<EditorTarget | null>(null);
  const items = list.data ?? [];
  const listed = chosen === null ? undefined : items.find((w) => w.id === chosen);
  const probe = useWorkflow(chosen !== null && list.isSuccess ? chosen : null);
  // Gone: the fresh list lacks it, or the server answers 404 for it (the list may be older than the deletion).
  const deleted = chosen !== null && list.isSuccess && (!listed || isGone(probe.error));
  const id = deleted ? null : (listed?.id ?? items[0]?.id ?? null);
  const details = useWorkflow(id);
  const remove = useDeleteWorkflow();

  const client = useQueryClient();
  const probeGone = isGone(probe.error);
  useEffect(() => {
    if (probeGone) void client.invalidateQueries({ queryKey: workflowKeys.list });
  }, [probeGone, client]);

  // Remember the name of what is chosen (it may come from elsewhere, e.g. "Use these settings").
  useEffect(() => {
    if (listed && listed.name !== chosenName) choose(listed.id, listed.name);
  }, [listed, chosenName, choose]);

  const onExport = () => {
    const w = details.data;
    if (!w) return;
    const url = URL.createObjectURL(new Blob([JSON.stringify(w.graph, null, 2)], { type: 'application/json' }));
    startDownload(url, `${w.name.replace(/[^\w. -]+/g, '_').trim() || 'workflow'}.json`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const onDelete = async () => {
    const w = details.data;
    if (!w) return;
    const ok = await confirmAction({ title: `Delete the workflow "${w.name}"?`, message: 'Images already made with it stay in the gallery.', confirmLabel: 'Delete', tone: 'danger' });
    if (ok) remove.mutate(w.id, { onSuccess: () => choose(null) });
  };

  return (
    <div className={styles.wrap}>
      <div className={styles.picker}>
        <label htmlFor="wf-choice" className="visually-hidden">
          Workflow
        </label>
        <select
          id="wf-choice"
          data-testid="workflow-select"
          value={id ?? ''}
          onChange={(e) => choose(e.target.value || null, items.find((w) => w.id === e.target.value)?.name ?? null)}
          disabled={items.length === 0}
          aria-invalid={deleted || undefined}
        >
          {items.length === 0 && <option value="">{list.isPending ? 'Loading…' : 'No saved workflows'}</option>}
          {deleted && items.length > 0 && (
            <option value="" disabled>
              Choose a workflow…
            </option>
          )}
          {items.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name} {w.kind === 'video' ? '(video)' : ''}
            </option>
          ))}
        </select>
        <button type="button" className={styles.small} onClick={() => setEditor({ mode: 'import' })} data-testid="workflow-import">
          Import…
        </button>
        {id && (
          <>
            <button type="button" className={styles.small} onClick={() => setEditor({ mode: 'edit', id })}>
              Edit slots
            </button>
            <button type="button" className={styles.small} onClick={onExport} disabled={!details.data} title="The API-format graph, as ComfyUI and this page import it">
              Export
            </button>
            <button type="button" className={styles.small} onClick={() => void onDelete()} disabled={remove.isPending} aria-label="Delete this workflow">
              Delete
            </button>
          </>
        )}
      </div>
      {list.error && <p className={formStyles.error}>{errorMessage(list.error)}</p>}
      {deleted && (
        <p className={styles.deleted} role="alert" data-testid="workflow-deleted">
          Workflow “{chosenName ?? listed?.name ?? chosen}” was deleted.{' '}
          {items.length > 0 ? 'Pick another one above to run it.' : 'Import a workflow to run one.'}
        </p>
      )}
      {items.length === 0 && !list.isPending && (
        <p className={styles.empty}>
          Bring your own ComfyUI graph: import its API-format JSON or a PNG ComfyUI saved, mark which inputs are the prompt, seed, steps or input image,
          and run it here like the built-in models.
        </p>
      )}
      {details.error && !deleted && <p className={formStyles.error}>{errorMessage(details.error)}</p>}
      {details.data && <RunForm key={`${details.data.id}/${details.data.updatedAt}`} workflow={details.data} />}
      {editor && (
        <WorkflowEditor
          target={editor}
          onClose={() => setEditor(null)}
          onSaved={(savedId) => {
            choose(savedId);
            setEditor(null);
          }}
        />
      )}
    </div>
  );
}

function RunForm({ workflow }: { workflow: WorkflowDetails }) {
  const client = useQueryClient();
  const create = useCreateJob();
  const validate = useValidateJob();
  const specs = useMemo(() => specsOf(workflow), [workflow]);
  // What was typed is kept per workflow and survives a reload.
  const draft = workflowRunDraft(useModeDrafts((s) => s.workflows), workflow.id);
  const updateDraft = useModeDrafts((s) => s.updateWorkflow);
  const values = draft.values;
  const randomize = draft.randomSeed;
  const setRandomize = (randomSeed: boolean) => updateDraft(workflow.id, { randomSeed });
  const imageOf = (name: string): InputImage | null => (name === 'image' ? draft.image : (draft.images?.[name] ?? null));
  const setImage = (name: string, next: InputImage | null) =>
    updateDraft(workflow.id, name === 'image' ? { image: next } : { images: { ...draft.images, [name]: next } });
  const [problem, setProblem] = useState<string | null>(null);
  const [problems, setProblems] = useState<WorkflowProblem[]>([]);

  const set = (name: string, v: string) => updateDraft(workflow.id, { values: { ...draft.values, [name]: v } });
  const valueOf = (name: string) => values[name] ?? '';

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (create.isPending || validate.isPending) return;
    const has = (name: string) => specs.some((s) => s.name === name);
    const prompt = valueOf('prompt').trim();
    if (has('prompt') && !prompt) return setProblem('Write a prompt: this workflow takes one.');
    const slots: Record<string, string | number | boolean> = {};
    for (const spec of specs) {
      if (TOP_LEVEL.includes(spec.name) || spec.name === 'seed') continue;
      if (spec.kind === 'image') {
        const img = imageOf(spec.name);
        if (!img) return setProblem(`Choose an image for “${spec.label}”: upload one or use the selected gallery image.`);
        slots[spec.name] = img.id;
        continue;
      }
      const value = parseSlot(spec, valueOf(spec.name));
      if (value === undefined) continue;
      // Checked here against the same spec the server checks, so the form can say which field is wrong.
      const wrong = slotValueProblem(spec, value);
      if (wrong) return setProblem(wrong);
      slots[spec.name] = value;
    }
    if (has('image') && !draft.image) return setProblem('Choose an input image: upload one or use the selected gallery image.');
    let seed: number | undefined;
    if (has('seed')) {
      const typed = valueOf('seed').trim();
      seed = randomize || typed === '' ? randomSeed() : Number(typed);
      if (randomize) set('seed', String(seed));
    }
    const negative = valueOf('negativePrompt');
    const model = valueOf('model').trim();
    const request = {
      provider: 'comfyui' as const,
      kind: workflow.kind,
      workflow: workflow.id,
      ...(prompt ? { prompt } : {}),
      ...(has('negativePrompt') && negative.trim() ? { negativePrompt: negative } : {}),
      ...(model ? { model } : {}),
      ...(has('image') && draft.image ? { inputImage: draft.image.id } : {}),
      ...(seed !== undefined ? { params: { seed } } : {}),
      ...(Object.keys(slots).length > 0 ? { slots } : {}),
    };
    if (!comfyRequest.check(request)) {
      const first = comfyRequest.errors(request)[0];
      const name = first?.path.split('/').pop();
      const label = specs.find((s) => s.name === name)?.label;
      return setProblem(first ? `${label ?? first.path}: ${first.message}` : 'Invalid request');
    }
    setProblem(null);
    setProblems([]);
    validate.mutate(request, {
      onSettled: (_data, err) => {
        const found = workflowProblemsOf(err);
        if (found && found.length > 0) setProblems(found);
        else if (isGone(err)) {
          // Deleted since the list was loaded: the refreshed list makes the form say so.
          void client.invalidateQueries({ queryKey: workflowKeys.all });
        } else create.mutate(request);
      },
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };

  const field = (spec: SlotSpec) => {
    const id = `wf-${spec.name}`;
    const saved = spec.value === undefined ? '' : String(spec.value);
    const label = spec.label;
    const range = [spec.min !== undefined ? `${spec.min}` : '', spec.max !== undefined ? `${spec.max}` : ''].filter(Boolean).join('–');
    if (spec.name === 'seed') {
      return (
        <Field key={spec.name} id={id} label={label}>
          <div className={formStyles.inline}>
            <input id={id} inputMode="numeric" value={valueOf('seed')} placeholder={randomize ? 'random' : saved} onChange={(e) => set('seed', e.target.value)} disabled={randomize} />
            <label className={formStyles.check}>
              <input type="checkbox" checked={randomize} onChange={(e) => setRandomize(e.target.checked)} /> Random
            </label>
          </div>
        </Field>
      );
    }
    switch (spec.kind) {
      case 'image':
        return (
          <Field key={spec.name} id={id} label={label}>
            <ImageInput id={id} value={imageOf(spec.name)} onChange={(next) => setImage(spec.name, next)} />
          </Field>
        );
      case 'text':
        return (
          <Field key={spec.name} id={id} label={label}>
            {spec.multiline || spec.name === 'prompt' || spec.name === 'negativePrompt' ? (
              <textarea
                id={id}
                rows={spec.name === 'prompt' ? 4 : 2}
                value={valueOf(spec.name)}
                placeholder={spec.name === 'prompt' ? 'Describe what to generate' : saved}
                onChange={(e) => set(spec.name, e.target.value)}
                data-testid={`slot-${spec.name}`}
              />
            ) : (
              <input id={id} value={valueOf(spec.name)} placeholder={saved} onChange={(e) => set(spec.name, e.target.value)} data-testid={`slot-${spec.name}`} />
            )}
          </Field>
        );
      case 'combo':
      case 'model':
        return (
          <Field key={spec.name} id={id} label={label}>
            <select id={id} value={valueOf(spec.name)} onChange={(e) => set(spec.name, e.target.value)} data-testid={`slot-${spec.name}`}>
              <option value="">{saved ? `${saved} (as saved)` : 'as saved'}</option>
              {(spec.options ?? []).filter((o) => o !== saved).map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </Field>
        );
      case 'boolean':
        return (
          <Field key={spec.name} id={id} label={label}>
            <select id={id} value={valueOf(spec.name)} onChange={(e) => set(spec.name, e.target.value)} data-testid={`slot-${spec.name}`}>
              <option value="">{saved ? `${saved === 'true' ? 'on' : 'off'} (as saved)` : 'as saved'}</option>
              <option value="true">on</option>
              <option value="false">off</option>
            </select>
          </Field>
        );
      default:
        return (
          <Field key={spec.name} id={id} label={label} hint={range || undefined}>
            <input
              id={id}
              type="number"
              inputMode={spec.kind === 'int' ? 'numeric' : 'decimal'}
              min={spec.min}
              max={spec.max}
              step={spec.step ?? (spec.kind === 'int' ? 1 : 'any')}
              value={valueOf(spec.name)}
              placeholder={saved}
              onChange={(e) => set(spec.name, e.target.value)}
              data-testid={`slot-${spec.name}`}
            />
          </Field>
        );
    }
  };

  const wide = specs.filter((s) => TOP_LEVEL.includes(s.name) || s.kind === 'image' || (s.kind === 'text' && s.multiline));
  const small = specs.filter((s) => !wide.includes(s));
  return (
    <form className={formStyles.form} onSubmit={submit} onKeyDown={onKeyDown} aria-label={`Run the workflow ${workflow.name}`} noValidate>
      {specs.length === 0 && <p className={styles.empty}>No slots are marked: every run repeats the saved graph (with a new seed only if one is marked). Use “Edit slots”.</p>}
      {wide.map(field)}
      {small.length > 0 && <div className={formStyles.advancedGrid}>{small.map(field)}</div>}
      {specs.some((s) => !s.checked) && <p className={styles.empty}>No backend was online to type every slot: those fields take what the saved value suggests.</p>}
      {workflow.check.checked && workflow.check.problems.length > 0 && problems.length === 0 && (
        <WorkflowProblems problems={workflow.check.problems} title="The backend cannot run the saved graph as it is:" />
      )}
      {problems.length > 0 && <WorkflowProblems problems={problems} />}
      <SubmitRow
        problem={problem}
        error={create.error}
        label={workflow.kind === 'video' ? 'Generate video' : 'Generate'}
        busy={validate.isPending ? 'Checking…' : create.isPending ? 'Queuing…' : null}
      />
    </form>
  );
}
