import { useState, type FormEvent } from 'react';
import {
  checked,
  FLUX_DEFAULT_MODEL,
  FLUX_MODEL_RULES,
  FLUX_MODELS,
  FLUX_OUTPUT_FORMATS,
  FluxJobRequest,
  fluxRequestProblem,
  type FluxModel,
  type FluxParamName,
  type FluxParams,
} from '@orchestrator/shared';
import { useCreateJobs } from '../../hooks/useJobActions';
import { jobSeeds, parseJobCount } from '../../lib/jobCount';
import { FLUX_ASPECT_RATIOS, FLUX_FIELDS, type FluxNumberField } from '../../state/draftKeys';
import { useDraftField } from '../../state/modeDrafts';
import { Field } from '../GenerateForm/Field';
import formStyles from '../GenerateForm/GenerateForm.module.css';
import { JobCount } from '../JobCount/JobCount';
import { PromptField } from '../PromptField/PromptField';
import { SubmitRow } from '../SubmitRow/SubmitRow';
import { ImageInput, type InputImage } from '../ImageInput/ImageInput';
import styles from './FluxForm.module.css';

const fluxRequest = checked(FluxJobRequest);
type NumberField = FluxNumberField;

const DEFAULT_NUMBERS: Record<NumberField, string> = {
  width: '1024',
  height: '768',
  steps: '28',
  guidance: '3',
  imagePromptStrength: '',
  seed: '',
  safetyTolerance: '2',
};
const isFluxModel = (v: unknown): v is FluxModel => (FLUX_MODELS as readonly unknown[]).includes(v);
const isOutputFormat = (v: unknown): v is (typeof FLUX_OUTPUT_FORMATS)[number] => (FLUX_OUTPUT_FORMATS as readonly unknown[]).includes(v);

interface Props {
  /** BFL credit balance from /api/health, when known. */
  credits?: number;
}

/** A FLUX image through the BFL API: only the fields FLUX_MODEL_RULES allows for the chosen model. */
export function FluxForm({ credits }: Props) {
  const create = useCreateJobs();
  // Every field but the problem line is kept across reloads.
  const [model, setModel] = useDraftField<FluxModel>(FLUX_FIELDS.model, FLUX_DEFAULT_MODEL, isFluxModel);
  const [prompt, setPrompt] = useDraftField(FLUX_FIELDS.prompt, '');
  const [aspectRatio, setAspectRatio] = useDraftField(FLUX_FIELDS.aspectRatio, '1:1');
  const [raw, setRaw] = useDraftField(FLUX_FIELDS.raw, false);
  const [outputFormat, setOutputFormat] = useDraftField<(typeof FLUX_OUTPUT_FORMATS)[number]>(FLUX_FIELDS.outputFormat, 'jpeg', isOutputFormat);
  const [storedNumbers, setNumbers] = useDraftField<Partial<Record<NumberField, string>>>(FLUX_FIELDS.numbers, {});
  const numbers: Record<NumberField, string> = { ...DEFAULT_NUMBERS, ...storedNumbers };
  const [image, setImage] = useDraftField<InputImage | null>(FLUX_FIELDS.image, null);
  const [jobCount, setJobCount] = useDraftField('flux.jobCount', '1');
  const [problem, setProblem] = useState<string | null>(null);

  const rule = FLUX_MODEL_RULES[model];
  const takes = (p: FluxParamName) => rule.params.includes(p);
  const setNumber = (k: NumberField, v: string) => setNumbers({ ...storedNumbers, [k]: v });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    const params: FluxParams = {};
    for (const k of Object.keys(numbers) as NumberField[]) {
      const text = numbers[k].trim();
      if (text !== '' && takes(k)) params[k] = Number(text);
    }
    if (takes('aspectRatio')) params.aspectRatio = aspectRatio;
    if (takes('raw') && raw) params.raw = true;
    if (takes('outputFormat')) params.outputFormat = outputFormat;
    if (!image) delete params.imagePromptStrength;
    const request: FluxJobRequest = {
      provider: 'flux',
      kind: 'image',
      model,
      prompt: prompt.trim(),
      params,
      ...(image ? { inputImage: image.id } : {}),
    };
    if (request.prompt === '') return setProblem('Describe what to generate');
    if (!fluxRequest.check(request)) {
      const first = fluxRequest.errors(request)[0];
      return setProblem(first ? `${first.path}: ${first.message}` : 'Invalid request');
    }
    const p = fluxRequestProblem(request);
    if (p) return setProblem(p.message);
    const count = parseJobCount(jobCount);
    if (count === null) return setProblem('Jobs: from 1 to 16');
    setProblem(null);
    // A blank seed lets BFL draw one for each job; a fixed one counts up (42, 43, …).
    const seeds = params.seed === undefined ? [] : jobSeeds(count, params.seed, () => 0);
    create.mutate(Array.from({ length: count }, (_, i) => (i === 0 || params.seed === undefined ? request : { ...request, params: { ...params, seed: seeds[i] } })));
  };

  const numberField = (k: NumberField, label: string, placeholder = '') =>
    takes(k) && (
      <Field id={`flux-${k}`} label={label}>
        <input id={`flux-${k}`} inputMode="decimal" placeholder={placeholder} value={numbers[k]} onChange={(e) => setNumber(k, e.target.value)} />
      </Field>
    );

  return (
    <form className={formStyles.form} onSubmit={submit} aria-label="Generate a FLUX image" noValidate>
      {credits !== undefined && <p className={styles.credits}>BFL credits: {credits.toLocaleString()}</p>}
      <Field id="flux-model" label="Model">
        <select id="flux-model" data-testid="flux-model-select" value={model} onChange={(e) => setModel(e.target.value as FluxModel)}>
          {FLUX_MODELS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </Field>
      <PromptField
        id="flux-prompt"
        label="Prompt"
        testId="flux-prompt"
        placeholder={rule.inputImage === 'required' ? 'Make the sky stormy' : 'A lighthouse at dusk, volumetric light'}
        value={prompt}
        onChange={setPrompt}
      />
      <Field id="flux-image" label={rule.inputImage === 'required' ? 'Image to edit (required)' : 'Image prompt (optional)'}>
        <ImageInput id="flux-image" value={image} onChange={setImage} />
      </Field>
      <div className={formStyles.advancedGrid}>
        {takes('aspectRatio') && (
          <Field id="flux-aspect" label="Aspect ratio">
            <select id="flux-aspect" value={aspectRatio} onChange={(e) => setAspectRatio(e.target.value)}>
              {!(FLUX_ASPECT_RATIOS as readonly string[]).includes(aspectRatio) && <option>{aspectRatio}</option>}
              {FLUX_ASPECT_RATIOS.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </Field>
        )}
        {numberField('width', 'Width')}
        {numberField('height', 'Height')}
        {numberField('steps', 'Steps')}
        {numberField('guidance', 'Guidance')}
        {image && numberField('imagePromptStrength', 'Image prompt strength', '0.1')}
        {numberField('seed', 'Seed', 'random')}
        {numberField('safetyTolerance', 'Safety tolerance (0–6)')}
        <Field id="flux-format" label="Output format">
          <select id="flux-format" value={outputFormat} onChange={(e) => setOutputFormat(e.target.value as typeof outputFormat)}>
            {FLUX_OUTPUT_FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </Field>
        {takes('raw') && (
          <label className={formStyles.check}>
            <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} />
            Raw (photographic look)
          </label>
        )}
      </div>
      <SubmitRow
        problem={problem}
        error={create.error}
        label={(parseJobCount(jobCount) ?? 1) > 1 ? `Generate ${jobCount.trim()}` : 'Generate'}
        busy={create.isPending ? 'Queuing…' : null}
        count={<JobCount id="flux-job-count" value={jobCount} onChange={setJobCount} />}
      />
    </form>
  );
}
