import { create } from 'zustand';

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  tone: 'error' | 'info';
  message: string;
  action?: ToastAction;
}

interface ToastState {
  toasts: Toast[];
  push: (tone: Toast['tone'], message: string, action?: ToastAction) => number;
  dismiss: (id: number) => void;
}

const LIFETIME_MS = 8000;
/** Long enough to notice a mistake and press Undo. */
const ACTION_LIFETIME_MS = 12000;
const MAX_VISIBLE = 4;
let nextId = 1;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push: (tone, message, action) => {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts, { id, tone, message, ...(action ? { action } : {}) }].slice(-MAX_VISIBLE) }));
    setTimeout(() => get().dismiss(id), action ? ACTION_LIFETIME_MS : LIFETIME_MS);
    return id;
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export const toast = {
  error: (message: string) => useToasts.getState().push('error', message),
  info: (message: string, action?: ToastAction) => useToasts.getState().push('info', message, action),
};
