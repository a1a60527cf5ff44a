import Type, { type Static } from 'typebox';
import { Text } from './text.js';
import { V0Id, V0_MAX_ATTACHMENTS } from './requests/v0.js';

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

/**
 * A picture that replaces an image's `src`: an upload (POST /api/uploads) or a gallery image asset,
 * by id. Never a URL: our files are not reachable by v0, so the server sends the picture itself with
 * the follow-up, as a v0 message attachment (a data URI), and the message names it.
 */
export const DESIGN_IMAGE_SOURCES = ['upload', 'asset'] as const;
export type DesignImageSource = (typeof DESIGN_IMAGE_SOURCES)[number];
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ASSET_ID = /^[0-9a-f]{16}$/;
export const DesignImage = Type.Object(
  {
    source: Type.Enum(DESIGN_IMAGE_SOURCES),
    id: Type.String({ minLength: 16, maxLength: 36, pattern: '^[0-9a-f-]+$', description: 'an upload id (a lowercase UUID) or a gallery asset id (16 hex)' }),
  },
  { additionalProperties: false },
);
export type DesignImage = Static<typeof DesignImage>;

export const DesignEdit = Type.Object(
  {
    selector: Type.String({ minLength: 1, maxLength: MAX_SELECTOR_LENGTH, pattern: STABLE_SELECTOR_PATTERN, description: 'a stable selector: #id or body, then " > tag:nth-of-type(n)" steps' }),
    kind: Type.Enum(DESIGN_EDIT_KINDS),
    /** The attribute, for kind "attr". */
    name: Type.Optional(Type.Enum(DESIGN_ATTRIBUTES)),
    before: EditText,
    /** With `image`, only the picture's name as the user saw it (the server names the attachment itself). */
    after: EditText,
    /** For an attr edit of `src`: the picture that replaces it, sent to v0 as an attachment. */
    image: Type.Optional(DesignImage),
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

/** The same picture named twice is one attachment. */
export const designImageKey = (i: DesignImage): string => `${i.source}:${i.id}`;

/**
 * A src that only this browser or this server can load: an object URL, an inline image, or one of our
 * file routes. v0 cannot fetch it, so such a picture must come as `image` (an attachment) instead.
 */
const LOCAL_SRC = /^\s*(blob:|data:)|\/api\/(uploads|assets)\//i;

/**
 * What the schema cannot say: an attr edit names its attribute, other kinds do not; an edit changes
 * something; a picture goes only on a src edit, by an id of its kind, and at most V0_MAX_ATTACHMENTS
 * different ones at once.
 */
export function designEditProblem(edits: readonly DesignEdit[]): { path: string; message: string } | null {
  const images = new Set<string>();
  for (const [i, e] of edits.entries()) {
    if (e.kind === 'attr' && !e.name) return { path: `/edits/${i}/name`, message: 'an attribute edit must name the attribute (src, alt or href)' };
    if (e.kind !== 'attr' && e.name) return { path: `/edits/${i}/name`, message: `a ${e.kind} edit takes no attribute name` };
    // A picture is a change even when its name happens to equal the old src.
    if (e.before === e.after && !e.image) return { path: `/edits/${i}/after`, message: 'the edit changes nothing (before equals after)' };
    if (e.image) {
      if (e.kind !== 'attr' || e.name !== 'src') return { path: `/edits/${i}/image`, message: 'a picture replaces an image source: only an attr edit of "src" takes one' };
      if (!(e.image.source === 'upload' ? UPLOAD_ID : ASSET_ID).test(e.image.id)) {
        return { path: `/edits/${i}/image/id`, message: e.image.source === 'upload' ? 'an upload id is a lowercase UUID (from POST /api/uploads)' : 'a gallery asset id is 16 hex digits' };
      }
      images.add(designImageKey(e.image));
    } else if (e.kind === 'attr' && e.name === 'src' && LOCAL_SRC.test(e.after)) {
      return { path: `/edits/${i}/after`, message: 'v0 cannot load that address (it is local to this browser or this server): send the picture as "image" (an upload or gallery asset id)' };
    }
  }
  if (images.size > V0_MAX_ATTACHMENTS) return { path: '/edits', message: `at most ${V0_MAX_ATTACHMENTS} different pictures can be sent at once` };
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
