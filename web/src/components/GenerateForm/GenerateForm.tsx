import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ComfyJobRequest, FieldError, JobRequest, ModelInfo } from '@orchestrator/shared';
import { ApiError, errorMessage } from '../../api/client';
import { useAccess, VIEW_ONLY } from '../../hooks/useAuth';
import { useBackends } from '../../hooks/useBackends';
import { useCreateJobs, useValidateJob } from '../../hooks/useJobActions';
import { loaderName, modelLookup, templateFamilyOf, useModel, useRememberModel } from '../../hooks/useModels';
import { jobSeeds, parseJobCount } from '../../lib/jobCount';
import { buildRequest, familyDraft, familyFields, fieldOf, randomSeed } from '../../lib/request';
import { workflowProblemsOf, type WorkflowProblem } from '../../lib/workflowProblems';
import { useFormDraft, type ModelFolder } from '../../state/formDraft';
import { JobCount } from '../JobCount/JobCount';
import { ModelPicker } from '../ModelPicker/ModelPicker';
import { PromptField } from '../PromptField/PromptField';
import { PrioritySelect } from '../PrioritySelect/PrioritySelect';
import { WorkflowProblems } from '../WorkflowProblems/WorkflowProblems';
import { AdvancedSettings } from './AdvancedSettings';
import { EncoderFields } from './EncoderFields';
import { Field, invalidProps } from './Field';
import { LoraFields } from './LoraFields';
import { ControlNetFields } from './ControlNetFields';
import { ExtrasFields, ipAdapterBlocker } from './ExtrasFields';
import { ImageStart } from './ImageStart';
import styles from './GenerateForm.module.css';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** Full checkpoints, and the bare diffusion models (UNETs) that FLUX local loads. */
const IMAGE_MODEL_FOLDERS = ['checkpoints', 'diffusion_models'] as const;

function imageFolder(folder: string | undefined): ModelFolder {
  return (IMAGE_MODEL_FOLDERS as readonly string[]).includes(folder ?? '') ? (folder as ModelFolder) : '';
}

/** Field errors by form field name (`width`, `prompt`), plus the ones that belong to no field. */
function byField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const field = fieldOf(e.path);
    if (!out[field]) out[field] = e.message;
  }
  return out;
}

const FORM_FIELDS = new Set([
  'prompt',
  'negativePrompt',
  'model',
  'seed',
  'steps',
  'cfg',
  'sampler',
  'scheduler',
  'width',
  'height',
  'batchSize',
  'shift',
  'guidance',
  'vae',
  'textEncoders.0',
  'textEncoders.1',
  'textEncoders.2',
  'denoise',
  'mask',
  'inputImage',
]);

/** Field groups whose rows place their own errors (`controlNets.1.strength`). */
const PLACED_GROUPS = ['loras', 'controlNets', 'hiresFix', 'ipAdapter', 'outpaint'];

/** Whether an error has a place in the form (the LoRA rows place theirs too). */
const placed = (field: string) => FORM_FIELDS.has(field) || PLACED_GROUPS.some((g) => field === g || field.startsWith(`${g}.`)) || field === 'jobCount';

/** The first job's request again for each further seed ("N jobs"). */
function withSeeds(first: ComfyJobRequest, seeds: readonly number[]): JobRequest[] {
  return seeds.map((seed, i) => (i === 0 ? first : { ...first, params: { ...first.params, seed } }));
}

/** The txt2img form for ComfyUI backends. Its draft survives reloads; errors never clear the input. */
export function GenerateForm() {
  const draft = useFormDraft((s) => s.draft);
  const update = useFormDraft((s) => s.update);
  const { summary, isPending: backendsPending, error: backendsError } = useBackends();
  const { canSubmit } = useAccess();
  const create = useCreateJobs();
  const validate = useValidateJob();
  const [problems, setProblems] = useState<WorkflowProblem[]>([]);
  const [localErrors, setLocalErrors] = useState<FieldError[]>([]);

  const configured = summary.backends.length;
  const online = summary.online.length;
  const remember = useRememberModel();

  const model = draft.model || summary.models[0]?.name || '';
  // The folder the picker chose it from; else (a default or reused model) the catalogue's first match.
  const pickedFolder = draft.model ? draft.modelFolder : '';
  const selected = useModel(pickedFolder ? `${pickedFolder}/${model}` : modelLookup(model, IMAGE_MODEL_FOLDERS));
  const modelFolder = pickedFolder || imageFolder(selected.data?.folder);
  const form = { ...draft, model, modelFolder };
  const family = templateFamilyOf(selected.data, model);
  const fields = familyFields(family);

  const serverErrors = create.error instanceof ApiError ? create.error.fieldErrors : [];
  const allErrors = [...localErrors, ...serverErrors];
  const errors = byField(allErrors);
  const unplaced = allErrors.filter((e) => !placed(fieldOf(e.path)));
  const advancedHasError = ['seed', 'steps', 'cfg', 'sampler', 'scheduler', 'width', 'height', 'batchSize', 'shift', 'guidance'].some((f) => errors[f]);

  let blocker: string | null = null;
  if (!canSubmit) blocker = VIEW_ONLY;
  else if (backendsPending) blocker = 'Checking backends…';
  else if (backendsError) blocker = `Cannot load backends: ${errorMessage(backendsError)}`;
  else if (configured === 0) blocker = 'No ComfyUI backend is configured. Set COMFYUI_URLS on the server and restart it.';
  const note = !blocker && online === 0 ? 'Backend offline — job will wait in the queue until one comes online.' : null;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (blocker || create.isPending || validate.isPending) return;
    // An IP-Adapter no backend can run now (or for this family) is left out, as the form says.
    const ipa = ipAdapterBlocker(family, summary.nodes) ? { ...form.ipAdapter, enabled: false } : form.ipAdapter;
    const built = buildRequest({ ...form, ipAdapter: ipa }, family);
    const count = parseJobCount(draft.jobCount);
    if (!built.ok || count === null) {
      setLocalErrors([...(built.ok ? [] : built.errors), ...(count === null ? [{ path: '/jobCount', message: 'From 1 to 16 jobs' }] : [])]);
      create.reset();
      return;
    }
    setLocalErrors([]);
    // Show the seed actually used, so a good result can be reproduced from the form.
    if (draft.randomSeed) update({ seed: String(built.seed) });
    setProblems([]);
    // Each further job gets its own seed: random ones, or the fixed seed counting up.
    const seeds = jobSeeds(count, draft.randomSeed ? undefined : built.seed, randomSeed);
    if (draft.randomSeed) seeds[0] = built.seed;
    const requests = withSeeds(built.request as ComfyJobRequest, seeds);
    // Check the workflow against a backend first; only an invalid_workflow stops the submit, not a failed check.
    validate.mutate(built.request, {
      onSettled: (_data, err) => {
        const found = workflowProblemsOf(err);
        if (found && found.length > 0) setProblems(found);
        else create.mutate(requests);
      },
    });
  };

  const chooseModel = (chosen: ModelInfo) => {
    const name = loaderName(chosen);
    const folder = imageFolder(chosen.folder);
    const next = templateFamilyOf(chosen, name);
    if (folder) remember(`${folder}/${name}`, chosen);
    setProblems([]);
    update({ model: name, modelFolder: folder, ...(next && next !== family ? familyDraft(next) : {}) });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };

  const shortcut = isMac ? '⌘↵' : 'Ctrl+↵';
  const jobCount = parseJobCount(draft.jobCount) ?? 1;

  return (
    <form className={styles.form} onSubmit={submit} onKeyDown={onKeyDown} aria-label="Generate an image" noValidate>
      <Field id="gen-model" label="Model" error={errors.model}>
        <ModelPicker
          id="gen-model"
          label="Model"
          value={model}
          onChange={chooseModel}
          folders={IMAGE_MODEL_FOLDERS}
          testId="model-select"
          placeholder="Choose a checkpoint…"
          {...invalidProps('gen-model', errors.model)}
        />
      </Field>
      <EncoderFields family={family} draft={form} update={update} errors={errors} />
      <PromptField
        id="gen-prompt"
        label="Prompt"
        testId="prompt-input"
        placeholder="A lighthouse at dusk, volumetric light, 35mm"
        value={draft.prompt}
        onChange={(prompt) => update({ prompt })}
        error={errors.prompt}
      />
      {(!fields || fields.has('negativePrompt')) && (
        <Field id="gen-negative" label="Negative prompt" error={errors.negativePrompt}>
          <textarea
            id="gen-negative"
            data-testid="negative-input"
            rows={2}
            placeholder="blurry, low quality"
            value={draft.negativePrompt}
            onChange={(e) => update({ negativePrompt: e.target.value })}
            {...invalidProps('gen-negative', errors.negativePrompt)}
          />
        </Field>
      )}
      <ImageStart family={family} draft={draft} update={update} errors={errors} />
      <LoraFields family={family} draft={draft} update={update} errors={errors} />
      <ControlNetFields family={family} draft={draft} update={update} errors={errors} canny={summary.nodes.has('Canny')} />
      <ExtrasFields family={family} draft={draft} update={update} errors={errors} nodes={summary.nodes} />
      <details
        className={styles.advanced}
        open={draft.advancedOpen || advancedHasError}
        onToggle={(e) => {
          const open = e.currentTarget.open;
          if (open !== draft.advancedOpen) update({ advancedOpen: open });
        }}
      >
        <summary className={styles.summary}>
          Advanced
          <span className={styles.summaryInfo}>
            {draft.randomSeed ? 'random seed' : `seed ${draft.seed}`} · {draft.steps} steps · {draft.inputImage && draft.keepSize ? 'picture’s size' : `${draft.width}×${draft.height}`}
            {draft.batchSize !== '1' ? ` · ×${draft.batchSize}` : ''}
          </span>
        </summary>
        <AdvancedSettings draft={draft} update={update} samplers={summary.samplers} schedulers={summary.schedulers} errors={errors} fields={fields} />
      </details>
      {(create.error || localErrors.length > 0) && (
        <div className={styles.error} role="alert">
          {create.error ? errorMessage(create.error) : 'Please fix the highlighted fields.'}
          {unplaced.map((e) => (
            <div key={e.path + e.message} className={styles.errorDetail}>
              {e.path}: {e.message}
            </div>
          ))}
        </div>
      )}
      {problems.length > 0 && <WorkflowProblems problems={problems} />}
      {blocker && (
        <p className={styles.blocker} id="gen-blocker">
          {blocker}
        </p>
      )}
      {note && (
        <p className={styles.note} id="gen-note">
          {note}
        </p>
      )}
      <div className={styles.actions}>
        <button
          type="submit"
          className={styles.generate}
          data-testid="generate-button"
          disabled={blocker !== null || create.isPending || validate.isPending}
          aria-describedby={blocker ? 'gen-blocker' : note ? 'gen-note' : undefined}
        >
          {validate.isPending ? 'Checking…' : create.isPending ? 'Queuing…' : jobCount > 1 ? `Generate ${jobCount}` : 'Generate'}
        </button>
        <JobCount id="gen-job-count" value={draft.jobCount} onChange={(jobCount) => update({ jobCount })} invalid={errors.jobCount !== undefined} />
        <PrioritySelect />
        <kbd className={styles.shortcut} aria-label={`Shortcut: ${isMac ? 'Command' : 'Control'} Enter`}>
          {shortcut}
        </kbd>
      </div>
    </form>
  );
}
