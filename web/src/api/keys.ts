/** Every react-query key in one place, so event handlers and hooks agree. */
export const queryKeys = {
  jobs: ['jobs', 'list'] as const,
  job: (id: string) => ['jobs', 'detail', id] as const,
  preview: (jobId: string) => ['jobs', 'preview', jobId] as const,
  assets: ['assets', 'list'] as const,
  asset: (id: string) => ['assets', 'detail', id] as const,
  backends: ['backends'] as const,
  health: ['health'] as const,
};
