import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { InputImage } from '../components/ImageInput/ImageInput';

/** The Video form as the user left it (numbers as typed). */
export interface VideoDraft {
  model: string;
  prompt: string;
  values: Record<string, string>;
  image: InputImage | null;
}

/** A Workflow form as the user left it: slot values as typed, per saved workflow. */
export interface WorkflowRunDraft {
  values: Record<string, string>;
  randomSeed: boolean;
  image: InputImage | null;
  /** The workflow's own image slots (a second LoadImage…), by slot name. */
  images?: Record<string, InputImage | null>;
}

interface ModeDraftsState {
  video: Partial<VideoDraft>;
  workflows: Record<string, WorkflowRunDraft>;
  /** Single fields of the other forms (FLUX, Site), by `form.field` key. */
  fields: Record<string, unknown>;
  updateVideo: (patch: Partial<VideoDraft>) => void;
  updateWorkflow: (id: string, patch: Partial<WorkflowRunDraft>) => void;
  setField: (key: string, value: unknown) => void;
}

const EMPTY_RUN: WorkflowRunDraft = { values: {}, randomSeed: true, image: null };
/** Drafts kept for this many workflows (the most recently edited): enough, and localStorage stays small. */
const MAX_WORKFLOW_DRAFTS = 20;

/** The Video and Workflow forms' drafts; like the Image form's, they survive a reload. */
export const useModeDrafts = create<ModeDraftsState>()(
  persist(
    (set) => ({
      video: {},
      workflows: {},
      fields: {},
      setField: (key, value) => set((s) => ({ fields: { ...s.fields, [key]: value } })),
      updateVideo: (patch) => set((s) => ({ video: { ...s.video, ...patch } })),
      updateWorkflow: (id, patch) =>
        set((s) => {
          const { [id]: current, ...others } = s.workflows;
          const kept = Object.entries(others).slice(-(MAX_WORKFLOW_DRAFTS - 1));
          return { workflows: { ...Object.fromEntries(kept), [id]: { ...EMPTY_RUN, ...current, ...patch } } };
        }),
    }),
    { name: 'orchestrator.modeDrafts', version: 1, storage: createJSONStorage(() => localStorage) },
  ),
);

export function workflowRunDraft(drafts: Record<string, WorkflowRunDraft>, id: string): WorkflowRunDraft {
  return drafts[id] ?? EMPTY_RUN;
}

/**
 * A form field kept across reloads, used like useState. A stored value of another type than the
 * initial one (an older build's) is ignored; `accept` narrows further (e.g. to a list of models).
 */
export function useDraftField<T>(key: string, initial: T, accept?: (v: unknown) => v is T): [T, (value: T) => void] {
  const stored = useModeDrafts((s) => s.fields[key]);
  const setField = useModeDrafts((s) => s.setField);
  const fits = stored !== undefined && typeof stored === typeof initial && (stored !== null || initial === null) && (!accept || accept(stored));
  return [fits ? (stored as T) : initial, (value: T) => setField(key, value)];
}
