import type { TemplateFamily } from '@orchestrator/shared';
import { loaderName } from '../../hooks/useModels';
import { separateEncoders, separateVae, type EncoderField } from '../../lib/request';
import type { FormDraft } from '../../state/formDraft';
import { ModelPicker } from '../ModelPicker/ModelPicker';
import { Field, invalidProps } from './Field';
import styles from './GenerateForm.module.css';

const ENCODER_LABELS: Record<EncoderField, string> = {
  t5xxl: 'T5-XXL text encoder',
  clipL: 'CLIP-L text encoder',
  clipG: 'CLIP-G text encoder',
};

const TEXT_ENCODER_FOLDERS = ['text_encoders'] as const;
const VAE_FOLDERS = ['vae'] as const;

interface Props {
  family: TemplateFamily | undefined;
  draft: FormDraft;
  update: (patch: Partial<FormDraft>) => void;
  errors: Record<string, string>;
}

/**
 * The files a family loads apart from its model: FLUX from a bare diffusion model its T5 and CLIP-L
 * encoders and its VAE; SD3.5 its three encoders when the checkpoint has none built in. Nothing for
 * the other families, nor for an all-in-one FLUX checkpoint.
 */
export function EncoderFields({ family, draft, update, errors }: Props) {
  const encoders = separateEncoders(family, draft);
  // SD3 keeps the section for its "built in / separate" choice; FLUX from a checkpoint has nothing apart.
  if (family !== 'sd3' && encoders.length === 0) return null;
  return (
    <fieldset className={styles.encoders} data-testid="encoder-fields">
      <legend className={styles.legend}>{separateVae(family, draft.modelFolder) ? 'Text encoders and VAE' : 'Text encoders'}</legend>
      {family === 'sd3' && (
        <div className={styles.segmented} role="radiogroup" aria-label="Encoders">
          {(
            [
              ['checkpoint', 'Built into the checkpoint'],
              ['separate', 'Separate files'],
            ] as const
          ).map(([value, text]) => (
            <label key={value} className={styles.segment}>
              <input
                type="radio"
                name="gen-sd3-encoders"
                value={value}
                checked={draft.sd3Encoders === value}
                onChange={() => update({ sd3Encoders: value })}
                data-testid={`sd3-encoders-${value}`}
              />
              {text}
            </label>
          ))}
        </div>
      )}
      {encoders.map((field, i) => {
        const error = errors[`textEncoders.${i}`];
        return (
          <Field key={field} id={`gen-${field}`} label={ENCODER_LABELS[field]} error={error}>
            <ModelPicker
              id={`gen-${field}`}
              label={ENCODER_LABELS[field]}
              value={draft[field]}
              onChange={(m) => update({ [field]: loaderName(m) })}
              folders={TEXT_ENCODER_FOLDERS}
              familyFilter={false}
              placeholder="Choose a text encoder…"
              testId={`encoder-${field}`}
              {...invalidProps(`gen-${field}`, error)}
            />
          </Field>
        );
      })}
      {separateVae(family, draft.modelFolder) && (
        <Field id="gen-vae" label="VAE" error={errors.vae}>
          <ModelPicker
            id="gen-vae"
            label="VAE"
            value={draft.vae}
            onChange={(m) => update({ vae: loaderName(m) })}
            folders={VAE_FOLDERS}
            familyFilter={false}
            placeholder="Choose a VAE…"
            testId="vae-select"
            {...invalidProps('gen-vae', errors.vae)}
          />
        </Field>
      )}
    </fieldset>
  );
}
