import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TokenCreate } from '@orchestrator/shared';
import { authApi } from '../api/auth';
import { queryKeys } from '../api/keys';

/** Your API tokens (an admin sees everyone's), newest first; read again each time the panel opens (no event says one was used). */
export function useTokens() {
  return useQuery({ queryKey: queryKeys.tokens, queryFn: ({ signal }) => authApi.listTokens(signal), staleTime: 0, select: (list) => list.items });
}

/** POST /api/tokens: the answer carries the token, shown once. */
export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TokenCreate) => authApi.createToken(body),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => authApi.revokeToken(id),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}
