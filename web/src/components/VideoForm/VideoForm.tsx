import { useState, type FormEvent } from 'react';
import { checked, ComfyJobRequest, familyDefaults, TEMPLATES, type GenerationParams } from '@orchestrator/shared';
import { useCreateJob } from '../../hooks/useJobActions';
import { loaderName, useModelList } from '../../hooks/useModels';
import { randomSeed, withFamily } from '../../lib/request';
import { useModeDrafts } from '../../state/modeDrafts';
import { Field } from '../GenerateForm/Field';
import formStyles from '../GenerateForm/GenerateForm.module.css';
import { SubmitRow } from '../SubmitRow/SubmitRow';
import { ImageInput, type InputImage } from '../ImageInput/ImageInput';
import { ModelPicker } from '../ModelPicker/ModelPicker';

const comfyRequest = checked(ComfyJobRequest);
const SVD = TEMPLATES.svd;
/** ComfyUI's ImageOnlyCheckpointLoader reads the checkpoints folder. */
const SVD_FOLDERS = ['checkpoints'] as const;
/** The picker's unfiltered list: its first model is the default, and the popup opens on it cached. */
const SVD_LIST = { folders: SVD_FOLDERS, family: 'svd', q: '' };
/** The numeric params of the SVD form (model, input image and seed are handled apart). */
const NUMBER_FIELDS = SVD.form.filter((f) => (f.type === 'int' || f.type === 'float') && f.name !== 'seed');

function initialValues(): Record<string, string> {
  const d = familyDefaults('svd');
  return Object.fromEntries(NUMBER_FIELDS.map((f) => [f.name, d[f.name as keyof typeof d] === undefined ? '' : String(d[f.name as keyof typeof d])]));
}

/** Image to video with Stable Video Diffusion on a ComfyUI backend. */
export function VideoForm() {
  const create = useCreateJob();
  const svdModels = useModelList(SVD_LIST);
  const first = svdModels.items[0];
  const draft = useModeDrafts((s) => s.video);
  const update = useModeDrafts((s) => s.updateVideo);
  const model = draft.model || (first ? loaderName(first) : '');
  const prompt = draft.prompt ?? '';
  const values = { ...initialValues(), ...draft.values };
  const image = draft.image ?? null;
  const setImage = (next: InputImage | null) => update({ image: next });
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
      // The picker offers the checkpoints folder only (ImageOnlyCheckpointLoader reads it).
      modelFolder: 'checkpoints',
      inputImage: image.id,
      // SVD ignores the prompt; one typed is kept with the job and the video as a caption.
      ...(prompt.trim() ? { prompt: prompt.trim() } : {}),
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
        <ModelPicker
          id="video-model"
          label="Video model"
          value={model}
          onChange={(m) => update({ model: loaderName(m) })}
          folders={SVD_FOLDERS}
          family="svd"
          placeholder={svdModels.isPending ? 'Looking for SVD checkpoints…' : 'No SVD checkpoint found'}
          testId="video-model-select"
        />
      </Field>
      <Field id="video-image" label="Input image">
        <ImageInput id="video-image" value={image} onChange={setImage} />
      </Field>
      <Field id="video-prompt" label="Prompt" hint="optional">
        <textarea id="video-prompt" rows={2} placeholder="A caption kept with the video (SVD does not read it)" value={prompt} onChange={(e) => update({ prompt: e.target.value })} />
      </Field>
      <div className={formStyles.advancedGrid}>
        {NUMBER_FIELDS.map((f) => (
          <Field key={f.name} id={`video-${f.name}`} label={f.label}>
            <input
              id={`video-${f.name}`}
              inputMode="decimal"
              value={values[f.name] ?? ''}
              onChange={(e) => update({ values: { ...draft.values, [f.name]: e.target.value } })}
            />
          </Field>
        ))}
      </div>
      <SubmitRow problem={problem} error={create.error} label="Generate video" busy={create.isPending ? 'Queuing…' : null} />
    </form>
  );
}
