import { useState, type FormEvent } from 'react';
import type { JobRequest } from '@orchestrator/shared';
import { useCreateJob } from '../../hooks/useJobActions';
import { useDraftField } from '../../state/modeDrafts';
import { Field } from '../GenerateForm/Field';
import formStyles from '../GenerateForm/GenerateForm.module.css';
import { ImportV0Dialog } from '../ImportV0Dialog/ImportV0Dialog';
import { SubmitRow } from '../SubmitRow/SubmitRow';

/** shared V0_MODELS (requests/v0.ts is not exported to the browser build). */
const V0_MODELS = ['v0-mini', 'v0-pro', 'v0-max'] as const;
type V0Model = (typeof V0_MODELS)[number];
type V0Request = Extract<JobRequest, { provider: 'v0' }>;
const isV0Model = (v: unknown): v is V0Model => (V0_MODELS as readonly unknown[]).includes(v);

/** A new site through v0, and the way in for chats made on v0.app. */
export function SiteForm() {
  const create = useCreateJob();
  const [prompt, setPrompt] = useDraftField('site.prompt', '');
  const [systemPrompt, setSystemPrompt] = useDraftField('site.systemPrompt', '');
  const [model, setModel] = useDraftField<V0Model>('site.model', 'v0-pro', isV0Model);
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
        <Field id="site-prompt" label="Prompt">
          <textarea
            id="site-prompt"
            data-testid="site-prompt"
            rows={5}
            placeholder="A landing page for a bakery, warm colours, menu and opening hours"
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
          />
        </Field>
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
