import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { UserCreate, UserPatch } from '@orchestrator/shared';
import { authApi } from '../api/auth';
import { queryKeys } from '../api/keys';

/** Every user (admin only), by name. */
export function useUsers() {
  return useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => authApi.listUsers(signal), staleTime: 0, select: (list) => list.items });
}

export function useAddUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UserCreate) => authApi.createUser(body),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users }),
  });
}

/** A new role or password. Changing one's own role changes what the page offers, so `me` is read again. */
export function useChangeUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, patch }: { name: string; patch: UserPatch }) => authApi.patchUser(name, patch),
    onSuccess: (_user, { patch }) => {
      void client.invalidateQueries({ queryKey: queryKeys.users });
      if (patch.role) void client.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}

/** Removes a user and their tokens (their sessions end at their next request). */
export function useRemoveUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => authApi.deleteUser(name),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.users });
      void client.invalidateQueries({ queryKey: queryKeys.tokens });
    },
  });
}
