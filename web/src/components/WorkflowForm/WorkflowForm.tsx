import { useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { checked, ComfyJobRequest, SLOT_LABELS, type SlotParam, type WorkflowDetails } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useBackends } from '../../hooks/useBackends';
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
const TOP_LEVEL: readonly SlotParam[] = ['prompt', 'negativePrompt', 'model', 'image'];

/** The value each slot holds in the saved graph: what a run uses when the field is left empty. */
function slotDefaults(w: WorkflowDetails): Map<SlotParam, string> {
  const out = new Map<SlotParam, string>();
  for (const s of w.slots) {
    if (out.has(s.param)) continue;
    const input = w.inputs.find((i) => i.nodeId === s.nodeId && i.input === s.input);
    if (input) out.set(s.param, String(input.value));
  }
  return out;
}

/** Runs a saved custom workflow: one field per slot the user marked when importing it. */
export function WorkflowForm() {
  const list = useWorkflowList();
  const chosen = useWorkflowChoice((s) => s.id);
  const choose = useWorkflowChoice((s) => s.choose);
  const [editor, setEditor] = useState<EditorTarget | null>(null);
  const items = list.data ?? [];
  const id = items.find((w) => w.id === chosen)?.id ?? items[0]?.id ?? null;
  const details = useWorkflow(id);
  const remove = useDeleteWorkflow();

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
        <select id="wf-choice" data-testid="workflow-select" value={id ?? ''} onChange={(e) => choose(e.target.value || null)} disabled={items.length === 0}>
          {items.length === 0 && <option value="">{list.isPending ? 'Loading…' : 'No saved workflows'}</option>}
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
      {items.length === 0 && !list.isPending && (
        <p className={styles.empty}>
          Bring your own ComfyUI graph: import its API-format JSON or a PNG ComfyUI saved, mark which inputs are the prompt, seed, steps or input image,
          and run it here like the built-in models.
        </p>
      )}
      {details.error && <p className={formStyles.error}>{errorMessage(details.error)}</p>}
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
  const { summary } = useBackends();
  const create = useCreateJob();
  const validate = useValidateJob();
  const defaults = useMemo(() => slotDefaults(workflow), [workflow]);
  const params = useMemo(() => [...new Set(workflow.slots.map((s) => s.param))], [workflow]);
  // What was typed is kept per workflow and survives a reload.
  const draft = workflowRunDraft(useModeDrafts((s) => s.workflows), workflow.id);
  const updateDraft = useModeDrafts((s) => s.updateWorkflow);
  const values: Partial<Record<SlotParam, string>> = draft.values;
  const randomize = draft.randomSeed;
  const image = draft.image;
  const setRandomize = (randomSeed: boolean) => updateDraft(workflow.id, { randomSeed });
  const setImage = (next: InputImage | null) => updateDraft(workflow.id, { image: next });
  const [problem, setProblem] = useState<string | null>(null);
  const [problems, setProblems] = useState<WorkflowProblem[]>([]);

  const set = (p: SlotParam, v: string) => updateDraft(workflow.id, { values: { ...draft.values, [p]: v } });
  const valueOf = (p: SlotParam) => values[p] ?? '';

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (create.isPending || validate.isPending) return;
    const prompt = valueOf('prompt').trim();
    if (params.includes('prompt') && !prompt) return setProblem('Write a prompt: this workflow takes one.');
    if (params.includes('image') && !image) return setProblem('Choose an input image: upload one or use the selected gallery image.');
    const numbers: Record<string, number | string> = {};
    for (const p of params) {
      if (TOP_LEVEL.includes(p) || p === 'seed') continue;
      const text = valueOf(p).trim();
      if (text === '') continue;
      numbers[p] = p === 'sampler' || p === 'scheduler' ? text : Number(text);
    }
    if (params.includes('seed')) {
      const typed = valueOf('seed').trim();
      const seed = randomize || typed === '' ? randomSeed() : Number(typed);
      numbers.seed = seed;
      if (randomize) set('seed', String(seed));
    }
    const negative = valueOf('negativePrompt');
    const model = valueOf('model').trim();
    const request = {
      provider: 'comfyui' as const,
      kind: workflow.kind,
      workflow: workflow.id,
      ...(prompt ? { prompt } : {}),
      ...(params.includes('negativePrompt') && negative.trim() ? { negativePrompt: negative } : {}),
      ...(model ? { model } : {}),
      ...(image ? { inputImage: image.id } : {}),
      ...(Object.keys(numbers).length > 0 ? { params: numbers } : {}),
    };
    if (!comfyRequest.check(request)) {
      const first = comfyRequest.errors(request)[0];
      const field = first?.path.split('/').pop() as SlotParam | undefined;
      return setProblem(first ? `${field && SLOT_LABELS[field] ? SLOT_LABELS[field] : first.path}: ${first.message}` : 'Invalid request');
    }
    setProblem(null);
    setProblems([]);
    validate.mutate(request, {
      onSettled: (_data, err) => {
        const found = workflowProblemsOf(err);
        if (found && found.length > 0) setProblems(found);
        else create.mutate(request);
      },
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };

  const field = (p: SlotParam) => {
    const id = `wf-${p}`;
    const placeholder = defaults.get(p) ?? '';
    switch (p) {
      case 'prompt':
      case 'negativePrompt':
        return (
          <Field key={p} id={id} label={SLOT_LABELS[p]}>
            <textarea id={id} rows={p === 'prompt' ? 4 : 2} value={valueOf(p)} placeholder={p === 'prompt' ? 'Describe what to generate' : placeholder} onChange={(e) => set(p, e.target.value)} />
          </Field>
        );
      case 'image':
        return (
          <Field key={p} id={id} label={SLOT_LABELS[p]}>
            <ImageInput id={id} value={image} onChange={setImage} />
          </Field>
        );
      case 'model':
        return (
          <Field key={p} id={id} label={SLOT_LABELS[p]} hint="empty: as saved">
            <input id={id} list={`${id}-list`} value={valueOf(p)} placeholder={placeholder} onChange={(e) => set(p, e.target.value)} />
            <datalist id={`${id}-list`}>
              {summary.models.map((m) => (
                <option key={m.name} value={m.name} />
              ))}
            </datalist>
          </Field>
        );
      case 'sampler':
      case 'scheduler': {
        const options = p === 'sampler' ? summary.samplers : summary.schedulers;
        return (
          <Field key={p} id={id} label={SLOT_LABELS[p]}>
            <select id={id} value={valueOf(p)} onChange={(e) => set(p, e.target.value)}>
              <option value="">{placeholder ? `${placeholder} (as saved)` : 'as saved'}</option>
              {options
                .filter((o) => o !== placeholder)
                .map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
            </select>
          </Field>
        );
      }
      case 'seed':
        return (
          <Field key={p} id={id} label={SLOT_LABELS[p]}>
            <div className={formStyles.inline}>
              <input id={id} inputMode="numeric" value={valueOf(p)} placeholder={randomize ? 'random' : placeholder} onChange={(e) => set(p, e.target.value)} disabled={randomize} />
              <label className={formStyles.check}>
                <input type="checkbox" checked={randomize} onChange={(e) => setRandomize(e.target.checked)} /> Random
              </label>
            </div>
          </Field>
        );
      default:
        return (
          <Field key={p} id={id} label={SLOT_LABELS[p]}>
            <input id={id} inputMode="decimal" value={valueOf(p)} placeholder={placeholder} onChange={(e) => set(p, e.target.value)} />
          </Field>
        );
    }
  };

  const wide = params.filter((p) => TOP_LEVEL.includes(p));
  const small = params.filter((p) => !TOP_LEVEL.includes(p));
  return (
    <form className={formStyles.form} onSubmit={submit} onKeyDown={onKeyDown} aria-label={`Run the workflow ${workflow.name}`} noValidate>
      {params.length === 0 && <p className={styles.empty}>No slots are marked: every run repeats the saved graph (with a new seed only if one is marked). Use “Edit slots”.</p>}
      {wide.map(field)}
      {small.length > 0 && <div className={formStyles.advancedGrid}>{small.map(field)}</div>}
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
