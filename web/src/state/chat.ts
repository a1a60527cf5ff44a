import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { InputImage } from '../components/ImageInput/ImageInput';

/** Team mode: which threads the list shows (local mode has no owners: always everyone's). */
export type ThreadScope = 'mine' | 'all';

/** Sent messages kept for ↑ recall (newest last). */
const HISTORY = 100;

interface ChatState {
  /** The open thread; null: none yet (the first message starts one). */
  threadId: string | null;
  /** The thread list shows in place of the thread. */
  listOpen: boolean;
  /** Team mode: the thread list shows one's own threads, or everyone's. */
  scope: ThreadScope;
  /** Team mode: whose open thread and history these are (another login on this browser starts afresh). */
  user: string | null;
  /** What was sent, for ↑ / ↓ in the input. */
  history: string[];
  /** Text a card asks the input to take (a hint, an example); `nonce` makes the same text count again. */
  draft: { text: string; nonce: number } | null;
  /** An image a card asks the input to attach ("Use as input"). */
  attachment: { image: InputImage; nonce: number } | null;
  /** Opens a thread (the list gives way to it). */
  open: (threadId: string | null) => void;
  /** Makes a thread the current one without leaving the list (a deleted one's successor). */
  select: (threadId: string | null) => void;
  setListOpen: (open: boolean) => void;
  setScope: (scope: ThreadScope) => void;
  /** Makes the state `user`'s: a different user than before gets no open thread and no history. */
  claim: (user: string) => void;
  remember: (text: string) => void;
  putDraft: (text: string) => void;
  attach: (image: InputImage) => void;
}

let nonce = 0;

/** The chat's UI state: which thread is open and what the input should take; the threads themselves live in the query cache. */
export const useChat = create<ChatState>()(
  persist(
    (set) => ({
      threadId: null,
      listOpen: false,
      scope: 'mine',
      user: null,
      history: [],
      draft: null,
      attachment: null,
      open: (threadId) => set({ threadId, listOpen: false }),
      select: (threadId) => set({ threadId }),
      setListOpen: (listOpen) => set({ listOpen }),
      setScope: (scope) => set({ scope }),
      claim: (user) => set((s) => (s.user === user ? s : { user, threadId: null, history: [], listOpen: false })),
      remember: (text) => set((s) => ({ history: [...s.history.filter((h) => h !== text), text].slice(-HISTORY) })),
      putDraft: (text) => set({ draft: { text, nonce: ++nonce } }),
      attach: (image) => set({ attachment: { image, nonce: ++nonce } }),
    }),
    {
      name: 'orchestrator.chat',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ threadId: s.threadId, history: s.history, scope: s.scope, user: s.user }),
    },
  ),
);
