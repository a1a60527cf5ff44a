import { create } from 'zustand';

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  /** `danger` for destructive actions. */
  tone?: 'danger' | 'default';
}

interface ConfirmState {
  request: (ConfirmRequest & { resolve: (ok: boolean) => void }) | null;
  answer: (ok: boolean) => void;
}

export const useConfirm = create<ConfirmState>()((set, get) => ({
  request: null,
  answer: (ok) => {
    const current = get().request;
    set({ request: null });
    current?.resolve(ok);
  },
}));

/** Asks the user through the app's confirmation dialog; resolves true when confirmed. */
export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  return new Promise((resolve) => {
    useConfirm.getState().request?.resolve(false);
    useConfirm.setState({ request: { ...request, resolve } });
  });
}
