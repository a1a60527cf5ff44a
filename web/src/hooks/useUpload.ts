import { useMutation } from '@tanstack/react-query';
import { api } from '../api/endpoints';

/** POST /api/uploads: one input image (SVD, FLUX kontext / image prompt). */
export function useUpload() {
  return useMutation({ mutationFn: (file: File) => api.upload(file) });
}
