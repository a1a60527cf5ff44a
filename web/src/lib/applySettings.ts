import { useCreateMode, type CreateMode } from '../state/createMode';
import { FLUX_FIELDS, SITE_FIELDS } from '../state/draftKeys';
import { useFormDraft } from '../state/formDraft';
import { useImportNotice } from '../state/importNotice';
import { useLayout } from '../state/layout';
import { useModeDrafts } from '../state/modeDrafts';
import { useWorkflowChoice } from '../state/workflowChoice';
import type { SettingsPlan } from './reuseSettings';

/** The prompt box of each mode, focused once the settings are in. */
const PROMPT_ID: Record<CreateMode, string> = { image: 'gen-prompt', flux: 'flux-prompt', video: 'video-prompt', site: 'site-prompt', workflow: 'wf-prompt' };

/** Focuses the mode's prompt as soon as its form is on screen (the other forms load lazily). */
function focusPrompt(mode: CreateMode, tries = 30): void {
  requestAnimationFrame(() => {
    const el = document.getElementById(PROMPT_ID[mode]);
    if (el) el.focus();
    else if (tries > 0) setTimeout(() => focusPrompt(mode, tries - 1), 50);
  });
}

/**
 * Puts a plan into its mode's form and shows that mode (and, on a phone, the Create tab). With
 * `notice`, the Create panel then says where the settings came from and what could not be used.
 */
export function applySettings(plan: SettingsPlan, notice?: { title: string }): void {
  const drafts = useModeDrafts.getState();
  switch (plan.mode) {
    case 'image':
      useFormDraft.getState().update(plan.image);
      break;
    case 'flux': {
      const f = plan.flux;
      drafts.setField(FLUX_FIELDS.model, f.model);
      drafts.setField(FLUX_FIELDS.prompt, f.prompt);
      drafts.setField(FLUX_FIELDS.numbers, f.numbers);
      drafts.setField(FLUX_FIELDS.raw, f.raw ?? false);
      drafts.setField(FLUX_FIELDS.image, f.image ?? null);
      if (f.aspectRatio) drafts.setField(FLUX_FIELDS.aspectRatio, f.aspectRatio);
      if (f.outputFormat) drafts.setField(FLUX_FIELDS.outputFormat, f.outputFormat);
      break;
    }
    case 'video':
      drafts.updateVideo(plan.video);
      break;
    case 'site':
      drafts.setField(SITE_FIELDS.prompt, plan.site.prompt);
      drafts.setField(SITE_FIELDS.systemPrompt, plan.site.systemPrompt ?? '');
      if (plan.site.model) drafts.setField(SITE_FIELDS.model, plan.site.model);
      break;
    case 'workflow': {
      const { id, ...run } = plan.workflow;
      useWorkflowChoice.getState().choose(id);
      drafts.updateWorkflow(id, run);
      break;
    }
  }
  useCreateMode.getState().setMode(plan.mode);
  useLayout.getState().setMobileTab('create');
  if (notice || plan.notes.length > 0) useImportNotice.getState().show({ title: notice?.title ?? 'Settings loaded', notes: plan.notes });
  else useImportNotice.getState().dismiss();
  focusPrompt(plan.mode);
}
