import { lazy, Suspense } from 'react';
import { useSiteStudio } from '../../state/siteStudio';

const SiteWorkspace = lazy(() => import('./SiteWorkspace'));

/** Mounts the site studio (a lazy chunk) while a site is open in it. */
export function SiteStudioHost() {
  const assetId = useSiteStudio((s) => s.assetId);
  const close = useSiteStudio((s) => s.close);
  if (!assetId) return null;
  return (
    <Suspense fallback={null}>
      <SiteWorkspace key={assetId} assetId={assetId} onClose={close} />
    </Suspense>
  );
}
