import { lazy, Suspense } from 'react';
import { useBackends } from '../../hooks/useBackends';
import { useHealth } from '../../hooks/useHealth';
import { useCreateMode } from '../../state/createMode';
import { BackendBadges } from '../BackendBadges/BackendBadges';
import { GenerateForm } from '../GenerateForm/GenerateForm';
import { ImportNotice } from '../ImportNotice/ImportNotice';
import { JobQueue } from '../JobQueue/JobQueue';
import { ModeSwitch, type ModeOption } from '../ModeSwitch/ModeSwitch';
import styles from './CreatePanel.module.css';

// The other generators load on first use: the ComfyUI image form is the one most sessions need.
const FluxForm = lazy(() => import('../FluxForm/FluxForm').then((m) => ({ default: m.FluxForm })));
const VideoForm = lazy(() => import('../VideoForm/VideoForm').then((m) => ({ default: m.VideoForm })));
const WorkflowForm = lazy(() => import('../WorkflowForm/WorkflowForm').then((m) => ({ default: m.WorkflowForm })));
const SiteForm = lazy(() => import('../SiteForm/SiteForm').then((m) => ({ default: m.SiteForm })));

/**
 * The generation forms and the job list: the left panel's Form tab (beside the chat), and the Create
 * tab on a phone. `heading: false` when a tab already names it.
 */
export function CreatePanel({ heading = true }: { heading?: boolean }) {
  const mode = useCreateMode((s) => s.mode);
  const setMode = useCreateMode((s) => s.setMode);
  const health = useHealth();
  const { summary, isPending: backendsPending } = useBackends();

  const providers = health.data?.providers;
  const checking = health.isPending ? 'Checking the server…' : null;
  const noComfy = backendsPending ? null : summary.backends.length === 0 ? 'No ComfyUI backend is configured (COMFYUI_URLS).' : null;
  const options: ModeOption[] = [
    // Image stays selectable: its form explains what is missing.
    { mode: 'image', label: 'Image', unavailable: null },
    { mode: 'flux', label: 'FLUX', unavailable: providers?.flux.configured ? null : checking ?? 'FLUX is not configured: set BFL_API_KEY on the server.' },
    { mode: 'video', label: 'Video', unavailable: noComfy },
    { mode: 'site', label: 'Site', unavailable: providers?.v0.configured ? null : checking ?? 'Sites are not configured: set V0_API_KEY on the server.' },
    { mode: 'workflow', label: 'Workflow', unavailable: noComfy },
  ];
  const current = options.find((o) => o.mode === mode);
  const hint = current && current.mode !== 'image' ? current.unavailable : null;

  return (
    <section className={styles.panel} aria-labelledby="create-heading">
      <header className={styles.header} hidden={!heading}>
        <h2 id="create-heading" className={styles.heading}>
          Create
        </h2>
      </header>
      <div className={styles.body}>
        <BackendBadges />
        <ModeSwitch options={options} value={mode} onChange={setMode} />
        <ImportNotice />
        {hint && <p className={styles.hint}>{hint}</p>}
        {mode === 'image' && <GenerateForm />}
        {mode !== 'image' && !hint && (
          <Suspense fallback={<p className={styles.hint}>Loading…</p>}>
            {mode === 'flux' && <FluxForm credits={providers?.flux.credits} />}
            {mode === 'video' && <VideoForm />}
            {mode === 'site' && <SiteForm />}
            {mode === 'workflow' && <WorkflowForm />}
          </Suspense>
        )}
        <hr className={styles.rule} />
        <JobQueue />
      </div>
    </section>
  );
}
