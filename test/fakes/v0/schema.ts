// Request-body schemas of the v0 Platform API v1 routes the fake serves, as data (from v0-platform-openapi-v1.json:
// chats.create, chats.sendMessage, chats.favorite). Every object there is `additionalProperties: false`.

export type Rule =
  | { t: 'string'; nullable?: boolean }
  | { t: 'bool' }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'array'; of: Rule; max?: number }
  | { t: 'object'; fields: Readonly<Record<string, Rule>>; required?: readonly string[] }
  | { t: 'anyOf'; of: readonly Rule[] }
  | { t: 'metadata' }; // string → string, key 1–40 characters, value ≤ 500 characters

export const MODEL_IDS = ['v0-auto', 'v0-mini', 'v0-pro', 'v0-max', 'v0-max-fast'] as const;
export const PRIVACY = ['public', 'private', 'team-edit', 'team', 'unlisted'] as const;
export const RESPONSE_MODES = ['sync', 'async', 'experimental_stream'] as const;

const str: Rule = { t: 'string' };
const strings: Rule = { t: 'array', of: str };
const attachments: Rule = { t: 'array', of: { t: 'object', fields: { url: str }, required: ['url'] } };
const modelConfiguration: Rule = {
  t: 'object',
  fields: { modelId: { t: 'enum', values: MODEL_IDS }, imageGenerations: { t: 'bool' }, thinking: { t: 'bool' } },
};
const skills: Rule = {
  t: 'array',
  max: 3,
  of: {
    t: 'anyOf',
    of: [
      { t: 'object', fields: { type: { t: 'enum', values: ['remote'] }, id: str }, required: ['type', 'id'] },
      { t: 'object', fields: { type: { t: 'enum', values: ['memory'] }, scope: { t: 'enum', values: ['user', 'team'] }, skillName: str }, required: ['type', 'scope', 'skillName'] },
      { t: 'object', fields: { type: { t: 'enum', values: ['project'] }, skillName: str }, required: ['type', 'skillName'] },
    ],
  },
};
const generation = {
  attachments,
  system: str,
  modelConfiguration,
  responseMode: { t: 'enum', values: RESPONSE_MODES },
  mcpServerIds: strings,
  attachedSkillIds: { t: 'array', of: str, max: 3 },
  skills,
} satisfies Record<string, Rule>;

export const CREATE_CHAT: Rule = {
  t: 'object',
  required: ['message'],
  fields: {
    message: str,
    ...generation,
    chatPrivacy: { t: 'enum', values: PRIVACY },
    projectId: str,
    designSystemId: { t: 'string', nullable: true },
    metadata: { t: 'metadata' },
  },
};

export const SEND_MESSAGE: Rule = {
  t: 'object',
  required: ['message'],
  fields: { message: str, ...generation, action: { t: 'object', fields: { type: { t: 'enum', values: ['fix-with-v0'] } }, required: ['type'] } },
};

export const FAVORITE: Rule = { t: 'object', required: ['isFavorite'], fields: { isFavorite: { t: 'bool' } } };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** First problem as a readable message (path-prefixed), or null when the value satisfies the rule. */
export function check(v: unknown, rule: Rule, path = 'body'): string | null {
  switch (rule.t) {
    case 'string':
      return typeof v === 'string' || (rule.nullable && v === null) ? null : `${path}: expected string`;
    case 'bool':
      return typeof v === 'boolean' ? null : `${path}: expected boolean`;
    case 'enum':
      return typeof v === 'string' && rule.values.includes(v) ? null : `${path}: expected one of ${rule.values.map((x) => `"${x}"`).join(', ')}`;
    case 'array': {
      if (!Array.isArray(v)) return `${path}: expected array`;
      if (rule.max !== undefined && v.length > rule.max) return `${path}: at most ${rule.max} items allowed`;
      for (let i = 0; i < v.length; i++) {
        const p = check(v[i], rule.of, `${path}[${i}]`);
        if (p) return p;
      }
      return null;
    }
    case 'anyOf':
      return rule.of.some((r) => check(v, r, path) === null) ? null : `${path}: does not match any allowed shape`;
    case 'metadata': {
      if (!isObj(v)) return `${path}: expected object`;
      for (const [k, val] of Object.entries(v)) {
        if (k.length < 1 || k.length > 40) return `${path}: keys must be 1-40 characters`;
        if (typeof val !== 'string' || val.length > 500) return `${path}.${k}: expected string of at most 500 characters`;
      }
      return null;
    }
    case 'object': {
      if (!isObj(v)) return `${path}: expected object`;
      for (const k of rule.required ?? []) if (!(k in v)) return `${path}.${k}: required`;
      for (const [k, val] of Object.entries(v)) {
        const r = rule.fields[k];
        if (!r) return `${path}: unrecognized key "${k}"`;
        const p = check(val, r, `${path}.${k}`);
        if (p) return p;
      }
      return null;
    }
  }
}

/** deployments.create: `projectId` is deprecated but still accepted. */
export const DEPLOY: Rule = { t: 'object', fields: { projectId: str, chatId: str, versionId: str }, required: ['chatId', 'versionId'] };
