// JSON shapes of the v0 Platform API v1 (ChatDetail, ChatSummary, VersionDetail/Summary, MessageDetail/Summary),
// built from the store's entities.
import { defaultFiles } from './site.js';
import type { Chat, Deployment, Message, Version } from './store.js';

export interface Urls {
  api: string; // http://127.0.0.1:PORT/v1
  web: string; // origin of the "v0.app" chat pages
  demo: string; // origin of the "vusercontent.net" previews (another host name)
}

export const webUrl = (u: Urls, chat: Chat): string => `${u.web}/chat/${chat.id}`;
export const demoUrl = (u: Urls, v: Version): string | undefined => (v.status === 'completed' ? `${u.demo}/demo/${v.id}/` : undefined);

export function versionSummary(u: Urls, v: Version): Record<string, unknown> {
  const demo = demoUrl(u, v);
  return {
    id: v.id,
    object: 'version',
    status: v.status,
    ...(demo ? { demoUrl: demo, screenshotUrl: `${u.demo}/screenshot/${v.id}.png` } : {}),
    createdAt: v.createdAt,
    ...(v.updatedAt ? { updatedAt: v.updatedAt } : {}),
  };
}

export function versionDetail(u: Urls, v: Version, includeDefaultFiles = false): Record<string, unknown> {
  const files = v.status === 'completed' && includeDefaultFiles ? [...defaultFiles(), ...v.files] : v.files;
  return { ...versionSummary(u, v), files: files.map((f) => ({ object: 'file', name: f.name, content: f.content, locked: f.locked })) };
}

export function messageSummary(u: Urls, m: Message): Record<string, unknown> {
  return {
    id: m.id,
    object: 'message',
    content: m.content,
    createdAt: m.createdAt,
    ...(m.updatedAt ? { updatedAt: m.updatedAt } : {}),
    type: m.type,
    role: m.role,
    ...(m.finishReason ? { finishReason: m.finishReason } : {}),
    apiUrl: `${u.api}/chats/${m.chatId}/messages/${m.id}`,
    authorId: m.authorId,
    parentId: m.parentId,
    ...(m.attachments ? { attachments: m.attachments.map((a) => ({ url: a.url, size: 0 })) } : {}),
  };
}

export const messageDetail = (u: Urls, m: Message): Record<string, unknown> => ({ ...messageSummary(u, m), chatId: m.chatId });

export function chatSummary(u: Urls, chat: Chat, authorId: string): Record<string, unknown> {
  const latest = chat.versions[chat.versions.length - 1];
  return {
    id: chat.id,
    object: 'chat',
    shareable: chat.privacy === 'public' || chat.privacy === 'unlisted',
    privacy: chat.privacy,
    name: chat.name,
    title: chat.name,
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
    favorite: chat.favorite,
    authorId,
    ...(chat.projectId !== undefined ? { projectId: chat.projectId } : {}),
    webUrl: webUrl(u, chat),
    apiUrl: `${u.api}/chats/${chat.id}`,
    ...(latest ? { latestVersion: versionSummary(u, latest) } : {}),
    metadata: chat.metadata,
  };
}

const LANG: Record<string, string> = { tsx: 'tsx', ts: 'typescript', css: 'css', json: 'json', mjs: 'javascript' };

/**
 * ChatDetail. `hideMessageIds` drops messages from the reply (async sendMessage does not return the new user
 * message). `files` keeps the legacy `{lang, meta, source}` shape; `latestVersion.files` has `{name, content}`.
 */
export function chatDetail(u: Urls, chat: Chat, authorId: string, hideMessageIds: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const latest = chat.versions[chat.versions.length - 1];
  const demo = latest ? demoUrl(u, latest) : undefined;
  const summary = chatSummary(u, chat, authorId);
  return {
    ...summary,
    ...(latest ? { latestVersion: versionDetail(u, latest) } : {}),
    url: summary.webUrl,
    messages: chat.messages.filter((m) => !hideMessageIds.has(m.id)).map((m) => messageSummary(u, m)),
    files: (latest?.files ?? []).map((f) => ({ lang: LANG[f.name.split('.').pop() ?? ''] ?? 'text', meta: { file: f.name }, source: f.content })),
    ...(demo ? { demo } : {}),
    text: chat.text,
    modelConfiguration: chat.modelConfiguration,
    permissions: { write: true },
  };
}

/** DeploymentDetail: the deployed site is served by the fake at `/deployed/<id>/` on the web host. */
export function deploymentDetail(u: Urls, d: Deployment): Record<string, unknown> {
  return {
    id: d.id,
    object: 'deployment',
    inspectorUrl: `${u.web}/inspect/${d.id}`,
    chatId: d.chatId,
    projectId: d.projectId,
    versionId: d.versionId,
    apiUrl: `${u.api}/deployments/${d.id}`,
    webUrl: `${u.web}/deployed/${d.id}/`,
  };
}
