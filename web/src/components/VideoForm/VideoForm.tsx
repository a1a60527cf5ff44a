import { useMemo, useState, type FormEvent } from 'react';
import { checked, ComfyJobRequest, familyDefaults, TEMPLATES, type GenerationParams } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useBackends } from '../../hooks/useBackends';
import { familyOf, useCheckpoints } from '../../hooks/useCheckpoints';
import { useCreateJob } from '../../hooks/useJobActions';
import { randomSeed, withFamily } from '../../lib/request';
import { Field } from '../GenerateForm/Field';
import formStyles from '../GenerateForm/GenerateForm.module.css';
import { ImageInput, type InputImage } from '../ImageInput/ImageInput';

const comfyRequest = checked(ComfyJobRequest);
const SVD = TEMPLATES.svd;
/** The numeric params of the SVD form (model, input image and seed are handled apart). */
const NUMBER_FIELDS = SVD.form.filter((f) => (f.type === 'int' || f.type === 'float') && f.name !== 'seed');

function initialValues(): Record<string, string> {
  const d = familyDefaults('svd');
  return Object.fromEntries(NUMBER_FIELDS.map((f) => [f.name, d[f.name as keyof typeof d] === undefined ? '' : String(d[f.name as keyof typeof d])]));
}

/** Image to video with Stable Video Diffusion on a ComfyUI backend. */
export function VideoForm() {
  const { summary } = useBackends();
  const checkpoints = useCheckpoints();
  const create = useCreateJob();
  const svdModels = useMemo(
    () => summary.models.filter((m) => familyOf(m.name, checkpoints.data) === 'svd' || m.name.toLowerCase().includes('svd')),
    [summary.models, checkpoints.data],
  );
  const [chosen, setChosen] = useState('');
  const model = chosen || svdModels[0]?.name || '';
  const [prompt, setPrompt] = useState('');
  const [values, setValues] = useState(initialValues);
  const [image, setImage] = useState<InputImage | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    if (!model) return setProblem('No SVD checkpoint is available on the backends.');
    if (!image) return setProblem('Choose an input image: upload one or use the selected gallery image.');
    const params: Record<string, number> = { seed: randomSeed() };
    for (const f of NUMBER_FIELDS) {
      const text = (values[f.name] ?? '').trim();
      if (text !== '') params[f.name] = Number(text);
    }
    const request: ComfyJobRequest = {
      provider: 'comfyui',
      kind: 'video',
      ...withFamily('svd'),
      model,
      inputImage: image.id,
      // The schema requires a prompt; SVD itself ignores it.
      prompt: prompt.trim() || 'image to video',
      params: params as GenerationParams,
    };
    if (!comfyRequest.check(request)) {
      const first = comfyRequest.errors(request)[0];
      return setProblem(first ? `${first.path}: ${first.message}` : 'Invalid request');
    }
    setProblem(null);
    create.mutate(request);
  };

  return (
    <form className={formStyles.form} onSubmit={submit} aria-label="Generate a video" noValidate>
      <Field id="video-model" label="Video model">
        <select id="video-model" data-testid="video-model-select" value={model} onChange={(e) => setChosen(e.target.value)} disabled={svdModels.length === 0}>
          {svdModels.length === 0 && <option value="">No SVD checkpoints reported</option>}
          {svdModels.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="video-image" label="Input image">
        <ImageInput id="video-image" value={image} onChange={setImage} />
      </Field>
      <Field id="video-prompt" label="Prompt" hint="optional">
        <textarea id="video-prompt" rows={2} placeholder="image to video" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      </Field>
      <div className={formStyles.advancedGrid}>
        {NUMBER_FIELDS.map((f) => (
          <Field key={f.name} id={`video-${f.name}`} label={f.label}>
            <input
              id={`video-${f.name}`}
              inputMode="decimal"
              value={values[f.name] ?? ''}
              onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
            />
          </Field>
        ))}
      </div>
      {(problem || create.error) && (
        <div className={formStyles.error} role="alert">
          {problem ?? errorMessage(create.error)}
        </div>
      )}
      <div className={formStyles.actions}>
        <button type="submit" className={formStyles.generate} data-testid="generate-button" disabled={create.isPending}>
          {create.isPending ? 'Queuing…' : 'Generate video'}
        </button>
      </div>
    </form>
  );
}
