import { FLUX_MODELS, findCommand, findFlag, tokenizeChat, type ChatCommandName, type ChatTarget, type FluxModel } from '@orchestrator/shared';
import { useCreateMode } from '../state/createMode';
import { FLUX_FIELDS } from '../state/draftKeys';
import { useFormDraft } from '../state/formDraft';
import { useModeDrafts } from '../state/modeDrafts';
import { friendlyModelName } from './modelNames';

/** What plain text in a new thread is a prompt for: the Create form's current selection. */
export function formTarget(): ChatTarget | undefined {
  switch (useCreateMode.getState().mode) {
    case 'image': {
      const model = useFormDraft.getState().draft.model;
      return { provider: 'comfyui', kind: 'image', ...(model ? { model } : {}) };
    }
    case 'flux': {
      const stored = useModeDrafts.getState().fields[FLUX_FIELDS.model];
      const model = typeof stored === 'string' && (FLUX_MODELS as readonly string[]).includes(stored) ? (stored as FluxModel) : undefined;
      return { provider: 'flux', kind: 'image', ...(model ? { model } : {}) };
    }
    case 'video':
      return { provider: 'comfyui', kind: 'video' };
    case 'site':
      return { provider: 'v0', kind: 'site' };
    default:
      return undefined;
  }
}

/** The command whose flags plain text takes for a target. */
export function commandOfTarget(t: ChatTarget | undefined): ChatCommandName | undefined {
  if (!t) return undefined;
  return t.provider === 'flux' ? 'apex-flux' : t.provider === 'v0' ? 'v0' : t.kind === 'video' ? 'video' : 'apex-comfy';
}

const PROVIDER = { comfyui: 'ComfyUI', flux: 'FLUX', v0: 'v0 site' } as const;

/** "ComfyUI · sd_xl_base_1.0", "Video (SVD)", "FLUX · flux-dev". */
export function targetLabel(t: ChatTarget): string {
  const what = t.kind === 'video' ? 'Video (SVD)' : PROVIDER[t.provider];
  return t.model ? `${what} · ${friendlyModelName(t.model)}` : what;
}

/** The target a generating command being typed will use (`/apex-flux … --model dev` → FLUX · dev); undefined for other text. */
export function commandTarget(text: string): ChatTarget | undefined {
  const tokens = tokenizeChat(text);
  const first = tokens[0];
  if (!first || first.quoted || !first.value.startsWith('/')) return undefined;
  const command = findCommand(first.value.slice(1))?.name;
  const modelFlag = tokens.findIndex((t) => !t.quoted && /^(--|—|–)/.test(t.value) && findFlag(t.value.replace(/^(--|—|–)/, '').split('=')[0]!)?.name === 'model');
  const flagModel = modelFlag >= 0 ? tokens[modelFlag + 1]?.value : undefined;
  switch (command) {
    case 'apex-comfy':
      return { provider: 'comfyui', kind: 'image', ...(tokens[1] && text.length > tokens[1].end ? { model: tokens[1].value } : {}) };
    case 'apex-flux':
      return { provider: 'flux', kind: 'image', ...(flagModel ? { model: flagModel } : {}) };
    case 'v0':
      return { provider: 'v0', kind: 'site', ...(flagModel ? { model: flagModel } : {}) };
    case 'video':
      return { provider: 'comfyui', kind: 'video', ...(flagModel ? { model: flagModel } : {}) };
    default:
      return undefined;
  }
}
