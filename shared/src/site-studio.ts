import Type, { type Static } from 'typebox';
import { Text } from './text.js';
import { V0Id } from './requests/v0.js';

/*
 * The site studio's wire formats: the preview URL the API hands out, the design edits a user applies
 * (POST /api/sites/:assetId/design-edits), a deploy request, and the postMessage protocol between the
 * app page and the overlay script the preview proxy injects into a site's HTML. The overlay is plain
 * JavaScript served by the server (it runs inside the site), so it cannot import these schemas: it
 * builds exactly these shapes, and the page validates every message it receives with them.
 */

/**
 * A stable selector as the overlay writes it: `#id` or `body`, then ` > tag:nth-of-type(n)` steps
 * down to the element. Anything else (attribute selectors, combinators, pseudo-classes) is refused, so
 * a follow-up message never carries arbitrary text as a "selector".
 */
export const STABLE_SELECTOR_PATTERN = '^(#[A-Za-z][A-Za-z0-9_-]{0,99}|body)( > [a-z][a-z0-9-]{0,30}:nth-of-type\\([1-9][0-9]{0,3}\\))*$';
const STABLE_SELECTOR = new RegExp(STABLE_SELECTOR_PATTERN);
export const MAX_SELECTOR_LENGTH = 2000;
export const isStableSelector = (s: string): boolean => s.length <= MAX_SELECTOR_LENGTH && STABLE_SELECTOR.test(s);

/** The attributes design mode edits. */
export const DESIGN_ATTRIBUTES = ['src', 'alt', 'href'] as const;
export type DesignAttribute = (typeof DESIGN_ATTRIBUTES)[number];

export const DESIGN_EDIT_KINDS = ['text', 'class', 'attr'] as const;
export type DesignEditKind = (typeof DESIGN_EDIT_KINDS)[number];

export const MAX_DESIGN_EDITS = 100;
const EditText = Text({ maxLength: 5000 });

export const DesignEdit = Type.Object(
  {
    selector: Type.String({ minLength: 1, maxLength: MAX_SELECTOR_LENGTH, pattern: STABLE_SELECTOR_PATTERN, description: 'a stable selector: #id or body, then " > tag:nth-of-type(n)" steps' }),
    kind: Type.Enum(DESIGN_EDIT_KINDS),
    /** The attribute, for kind "attr". */
    name: Type.Optional(Type.Enum(DESIGN_ATTRIBUTES)),
    before: EditText,
    after: EditText,
  },
  { additionalProperties: false },
);
export type DesignEdit = Static<typeof DesignEdit>;

export const DesignEditsRequest = Type.Object(
  {
    versionId: V0Id,
    edits: Type.Array(DesignEdit, { minItems: 1, maxItems: MAX_DESIGN_EDITS }),
  },
  { additionalProperties: false },
);
export type DesignEditsRequest = Static<typeof DesignEditsRequest>;

/** What the schema cannot say: an attr edit names its attribute, other kinds do not; an edit changes something. */
export function designEditProblem(edits: readonly DesignEdit[]): { path: string; message: string } | null {
  for (const [i, e] of edits.entries()) {
    if (e.kind === 'attr' && !e.name) return { path: `/edits/${i}/name`, message: 'an attribute edit must name the attribute (src, alt or href)' };
    if (e.kind !== 'attr' && e.name) return { path: `/edits/${i}/name`, message: `a ${e.kind} edit takes no attribute name` };
    if (e.before === e.after) return { path: `/edits/${i}/after`, message: 'the edit changes nothing (before equals after)' };
  }
  return null;
}

export const SitePreview = Type.Object({
  /** The page the iframe loads: the site's demo through our preview origin (separate from the API). */
  url: Type.String(),
  /** That URL's origin: the only origin the page accepts overlay messages from. */
  origin: Type.String(),
  versionId: V0Id,
});
export type SitePreview = Static<typeof SitePreview>;

export const SiteDeployRequest = Type.Object({ versionId: V0Id }, { additionalProperties: false });
export type SiteDeployRequest = Static<typeof SiteDeployRequest>;

/* ---- The overlay ↔ page protocol (window.postMessage, origin-checked both ways) ---- */

export const OVERLAY_PROTOCOL = 'orchestrator-design/1';

/** An element as the overlay describes it to the page. */
export const OverlayElement = Type.Object({
  selector: Type.String({ maxLength: MAX_SELECTOR_LENGTH }),
  tag: Type.String({ maxLength: 40 }),
  /** Its own text when it has no element children (the text design mode may edit), else null. */
  text: Type.Union([Type.String({ maxLength: 5000 }), Type.Null()]),
  classes: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 200 }),
  src: Type.Optional(Type.String({ maxLength: 5000 })),
  alt: Type.Optional(Type.String({ maxLength: 5000 })),
  href: Type.Optional(Type.String({ maxLength: 5000 })),
});
export type OverlayElement = Static<typeof OverlayElement>;

/** Overlay → page. */
export const OverlayMessage = Type.Union([
  Type.Object({ protocol: Type.Literal(OVERLAY_PROTOCOL), type: Type.Literal('ready'), path: Type.String({ maxLength: 2000 }) }),
  Type.Object({ protocol: Type.Literal(OVERLAY_PROTOCOL), type: Type.Literal('selected'), element: OverlayElement }),
  Type.Object({ protocol: Type.Literal(OVERLAY_PROTOCOL), type: Type.Literal('cleared') }),
]);
export type OverlayMessage = Static<typeof OverlayMessage>;

/** Page → overlay. */
export type PageMessage =
  | { protocol: typeof OVERLAY_PROTOCOL; type: 'design-mode'; on: boolean }
  | { protocol: typeof OVERLAY_PROTOCOL; type: 'select'; selector: string | null }
  | { protocol: typeof OVERLAY_PROTOCOL; type: 'apply'; selector: string; kind: DesignEditKind; name?: DesignAttribute; value: string };
