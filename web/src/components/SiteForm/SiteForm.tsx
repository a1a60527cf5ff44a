import { useState, type FormEvent } from 'react';
import { V0_MODELS, type V0JobRequest, type V0Model } from '@orchestrator/shared';
import { useCreateJob } from '../../hooks/useJobActions';
import { SITE_FIELDS } from '../../state/draftKeys';
import { useDraftField } from '../../state/modeDrafts';
import { Field } from '../GenerateForm/Field';
import formStyles from '../GenerateForm/GenerateForm.module.css';
import { ImportV0Dialog } from '../ImportV0Dialog/ImportV0Dialog';
import { PromptField } from '../PromptField/PromptField';
import { SubmitRow } from '../SubmitRow/SubmitRow';

type V0Request = V0JobRequest;
const isV0Model = (v: unknown): v is V0Model => (V0_MODELS as readonly unknown[]).includes(v);

/** A new site through v0, and the way in for chats made on v0.app. */
export function SiteForm() {
  const create = useCreateJob();
  const [prompt, setPrompt] = useDraftField(SITE_FIELDS.prompt, '');
  const [systemPrompt, setSystemPrompt] = useDraftField(SITE_FIELDS.systemPrompt, '');
  const [model, setModel] = useDraftField<V0Model>(SITE_FIELDS.model, 'v0-pro', isV0Model);
  const [problem, setProblem] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    if (prompt.trim() === '') return setProblem('Describe the site to build');
    setProblem(null);
    const request: V0Request = {
      provider: 'v0',
      kind: 'site',
      prompt: prompt.trim(),
      model,
      ...(systemPrompt.trim() ? { systemPrompt: systemPrompt.trim() } : {}),
    };
    create.mutate(request);
  };

  return (
    <>
      <form className={formStyles.form} onSubmit={submit} aria-label="Generate a site" noValidate>
        <PromptField
          id="site-prompt"
          label="Prompt"
          testId="site-prompt"
          rows={5}
          placeholder="A landing page for a bakery, warm colours, menu and opening hours"
          value={prompt}
          onChange={setPrompt}
        />
        <Field id="site-system" label="System prompt" hint="optional">
          <textarea id="site-system" rows={2} value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} />
        </Field>
        <Field id="site-model" label="Model">
          <select id="site-model" data-testid="site-model-select" value={model} onChange={(e) => setModel(e.target.value as V0Model)}>
            {V0_MODELS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
        <SubmitRow problem={problem} error={create.error} label="Generate site" busy={create.isPending ? 'Queuing…' : null}>
          <button type="button" className={formStyles.secondary} data-testid="import-v0-button" onClick={() => setImporting(true)}>
            Import from v0…
          </button>
        </SubmitRow>
      </form>
      {importing && <ImportV0Dialog onClose={() => setImporting(false)} />}
    </>
  );
}
