import { create } from 'zustand';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting';

interface ConnectionState {
  status: ConnectionStatus;
  /** Becomes true after the event channel first opened or first failed: lists are fetched from then on. */
  ready: boolean;
  /** When the next reconnect attempt happens (ms since epoch), while reconnecting. */
  retryAt: number | null;
  set: (next: Partial<Omit<ConnectionState, 'set'>>) => void;
}

export const useConnection = create<ConnectionState>()((set) => ({
  status: 'connecting',
  ready: false,
  retryAt: null,
  set: (next) => set(next),
}));
