import { createContext, useContext, useEffect } from 'react';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { LoginRequest, Me } from '@orchestrator/shared';
import { authApi } from '../api/auth';
import { ApiError, setUnauthorizedHandler } from '../api/client';
import { queryKeys } from '../api/keys';
import { useConnection } from '../state/connection';

/*
 * Who the page is for: GET /api/auth/me, kept in the query cache like any server state. `null` means
 * team mode without a session (the login page shows); local mode answers `{mode: 'local'}`.
 */

export type Session = Me | null;

async function fetchMe(signal?: AbortSignal): Promise<Session> {
  try {
    return await authApi.me(signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: ({ signal }) => fetchMe(signal), staleTime: Infinity });
}

/**
 * The session the app runs with, given by the auth gate. It stays put while `me` is refetched (a
 * cache reset), so nothing flickers; without a gate it reads as local mode.
 */
export const SessionContext = createContext<Me>({ mode: 'local', via: 'local' });

/** What a form says instead of letting a viewer press Generate. */
export const VIEW_ONLY = 'You have view-only access: an admin can make you a member to generate.';

/** What the current user may do; local mode may do everything. */
export function useAccess() {
  const me = useContext(SessionContext);
  const role = me.user?.role;
  const local = me.mode === 'local';
  return {
    team: !local,
    user: me.user,
    canSubmit: local || role === 'admin' || role === 'member',
    isAdmin: local || role === 'admin',
  };
}

/** Drops everything cached for the session that ended, so the next login starts clean. */
export function forgetSession(client: QueryClient): void {
  const isMe = (key: readonly unknown[]) => key[0] === queryKeys.me[0] && key[1] === queryKeys.me[1];
  void client.cancelQueries({ predicate: (q) => !isMe(q.queryKey) });
  client.removeQueries({ predicate: (q) => !isMe(q.queryKey) });
  client.getMutationCache().clear();
}

function loggedOut(client: QueryClient): void {
  client.setQueryData<Session>(queryKeys.me, null);
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => authApi.login(body),
    onSuccess: (me) => {
      forgetSession(client);
      client.setQueryData<Session>(queryKeys.me, me);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => authApi.logout(),
    onSuccess: () => loggedOut(client),
    onError: (err) => {
      // The session was gone already: the result is the same.
      if (err instanceof ApiError && err.status === 401) loggedOut(client);
    },
  });
}

/**
 * Team mode: a 401 from any API call means the session ended (expired, logged out elsewhere, user
 * removed), so the page goes back to the login form. An event socket that keeps failing to reconnect
 * may be refused for the same reason while nothing else asks the API: check `me` then.
 */
export function useSessionWatch(team: boolean): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!team) return;
    setUnauthorizedHandler(() => {
      if (client.getQueryData<Session>(queryKeys.me)) loggedOut(client);
    });
    const unsubscribe = useConnection.subscribe((next, prev) => {
      if (next.status === 'reconnecting' && next.retryAt !== prev.retryAt) void client.invalidateQueries({ queryKey: queryKeys.me });
    });
    return () => {
      setUnauthorizedHandler(null);
      unsubscribe();
    };
  }, [team, client]);
}
