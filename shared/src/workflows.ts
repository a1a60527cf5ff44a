import Type, { type Static } from 'typebox';
import { MAX_SLOTS, SLOT_NAME_PATTERN } from './requests/comfy-features.js';
import { Text } from './text.js';

/*
 * Custom workflows: an API-format ComfyUI graph the user imported (from its JSON or from a PNG ComfyUI
 * saved), with the inputs they marked as slots — the prompt, the seed, the input image… A job runs it
 * like a built-in template: `{ provider: 'comfyui', workflow: <id>, prompt, params }`.
 */

/**
 * The well-known slots: each maps to a request field (see templates/request.ts) as well as to
 * `request.slots[name]`. Any other name (matching SLOT_NAME_PATTERN) is a workflow's own slot, whose
 * value comes from `request.slots[name]` only.
 */
export const SLOT_PARAMS = [
  'prompt',
  'negativePrompt',
  'model',
  'image',
  'seed',
  'steps',
  'cfg',
  'sampler',
  'scheduler',
  'denoise',
  'width',
  'height',
  'batchSize',
  'shift',
  'guidance',
  'frames',
  'fps',
  'motionBucketId',
  'augmentationLevel',
  'minCfg',
] as const;
export type SlotParam = (typeof SLOT_PARAMS)[number];

/** Slots whose value is text (or a file / list name); all others are numbers. */
export const TEXT_SLOTS: readonly SlotParam[] = ['prompt', 'negativePrompt', 'model', 'image', 'sampler', 'scheduler'];

export function isKnownSlot(name: string): name is SlotParam {
  return (SLOT_PARAMS as readonly string[]).includes(name);
}

export const SLOT_LABELS: Readonly<Record<SlotParam, string>> = {
  prompt: 'Prompt',
  negativePrompt: 'Negative prompt',
  model: 'Model',
  image: 'Input image',
  seed: 'Seed',
  steps: 'Steps',
  cfg: 'CFG',
  sampler: 'Sampler',
  scheduler: 'Scheduler',
  denoise: 'Denoise',
  width: 'Width',
  height: 'Height',
  batchSize: 'Batch size',
  shift: 'Shift',
  guidance: 'Guidance',
  frames: 'Frames',
  fps: 'FPS',
  motionBucketId: 'Motion bucket id',
  augmentationLevel: 'Augmentation level',
  minCfg: 'Min CFG',
};

/** What the form shows for a slot: the well-known label, else the slot's own name with spaces. */
export function slotLabel(name: string): string {
  return isKnownSlot(name) ? SLOT_LABELS[name] : name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

export const MAX_WORKFLOW_NODES = 2000;
export const WORKFLOW_ID_PATTERN = '^wf-[a-z0-9]{10}$';

export const WorkflowNode = Type.Object(
  {
    class_type: Text({ minLength: 1, maxLength: 256 }),
    inputs: Type.Record(Type.String({ maxLength: 256 }), Type.Unknown()),
    _meta: Type.Optional(Type.Object({ title: Type.Optional(Text({ maxLength: 512 })) })),
  },
  { additionalProperties: true },
);
export type WorkflowNode = Static<typeof WorkflowNode>;

/** An API-format graph: node id → node; inputs are literals or `[sourceNodeId, outputIndex]` links. */
export const WorkflowGraph = Type.Record(Type.String({ minLength: 1, maxLength: 64 }), WorkflowNode, {
  minProperties: 1,
  maxProperties: MAX_WORKFLOW_NODES,
});
export type WorkflowGraph = Static<typeof WorkflowGraph>;

export const WorkflowSlot = Type.Object(
  {
    /** The slot's name: a well-known one (SLOT_PARAMS) or the workflow's own (e.g. `blur_radius`). */
    param: Type.String({ pattern: SLOT_NAME_PATTERN, description: 'a well-known slot (prompt, seed, …) or a name of its own' }),
    nodeId: Text({ minLength: 1, maxLength: 64 }),
    input: Text({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type WorkflowSlot = Static<typeof WorkflowSlot>;

const WorkflowName = Text({ minLength: 1, maxLength: 100 });
const Slots = Type.Array(WorkflowSlot, { maxItems: MAX_SLOTS });

export const SLOT_KINDS = ['int', 'float', 'text', 'boolean', 'combo', 'image', 'model'] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

/**
 * One slot as the run form shows it: its type, range, step and choices, read from the backend's
 * `/object_info` for the node input it fills (`checked`), else guessed from the value the graph holds.
 */
export const SlotSpec = Type.Object({
  name: Type.String(),
  label: Type.String(),
  kind: Type.Enum(SLOT_KINDS),
  /** Where it goes (the first place, when a slot fills several). */
  nodeId: Type.String(),
  classType: Type.String(),
  input: Type.String(),
  /** A well-known slot (prompt, seed, …): it may also come from the request's own field. */
  known: Type.Boolean(),
  /** The value the saved graph holds: what a run uses when none is given. */
  value: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  step: Type.Optional(Type.Number()),
  options: Type.Optional(Type.Array(Type.String())),
  multiline: Type.Optional(Type.Boolean()),
  /** The spec comes from a backend's object_info (false: guessed from the value). */
  checked: Type.Boolean(),
});
export type SlotSpec = Static<typeof SlotSpec>;

/** A literal input of a node: what the import screen lists for marking slots. */
export const WorkflowInput = Type.Object({
  nodeId: Type.String(),
  classType: Type.String(),
  title: Type.Optional(Type.String()),
  input: Type.String(),
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
});
export type WorkflowInput = Static<typeof WorkflowInput>;

export const WorkflowProblemSchema = Type.Object({
  nodeId: Type.String(),
  classType: Type.String(),
  input: Type.String(),
  message: Type.String(),
});

/** What a backend's `/object_info` says of the graph; `checked: false` when no backend answered. */
export const WorkflowCheck = Type.Object({
  checked: Type.Boolean(),
  problems: Type.Array(WorkflowProblemSchema),
});
export type WorkflowCheck = Static<typeof WorkflowCheck>;

export const CustomWorkflow = Type.Object({
  id: Type.String({ pattern: WORKFLOW_ID_PATTERN }),
  name: WorkflowName,
  kind: Type.Union([Type.Literal('image'), Type.Literal('video')]),
  graph: WorkflowGraph,
  slots: Slots,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** Team mode: who saved it (only they or an admin may change or delete it; everyone may run it). */
  owner: Type.Optional(Type.String()),
});
export type CustomWorkflow = Static<typeof CustomWorkflow>;

/** `GET /api/workflows/:id` and the reply of a save: the workflow, its inputs and the backend check. */
export const WorkflowDetails = Type.Object({
  ...CustomWorkflow.properties,
  inputs: Type.Array(WorkflowInput),
  check: WorkflowCheck,
  /** Each slot's type, range and choices, for the run form. */
  slotSpecs: Type.Array(SlotSpec),
});
export type WorkflowDetails = Static<typeof WorkflowDetails>;

export const WorkflowSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('image'), Type.Literal('video')]),
  slots: Slots,
  nodeCount: Type.Integer(),
  updatedAt: Type.String(),
  owner: Type.Optional(Type.String()),
});
export type WorkflowSummary = Static<typeof WorkflowSummary>;

/** `POST /api/workflows/import`: an unsaved workflow with suggested slots, to review before saving. */
export const WorkflowDraft = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('image'), Type.Literal('video')]),
  graph: WorkflowGraph,
  slots: Slots,
  inputs: Type.Array(WorkflowInput),
  check: WorkflowCheck,
  source: Type.Union([Type.Literal('json'), Type.Literal('png')]),
});
export type WorkflowDraft = Static<typeof WorkflowDraft>;

export const CreateWorkflowBody = Type.Object(
  { name: WorkflowName, graph: WorkflowGraph, slots: Slots },
  { additionalProperties: false },
);
export type CreateWorkflowBody = Static<typeof CreateWorkflowBody>;

export const UpdateWorkflowBody = Type.Object(
  { name: Type.Optional(WorkflowName), slots: Type.Optional(Slots) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWorkflowBody = Static<typeof UpdateWorkflowBody>;
