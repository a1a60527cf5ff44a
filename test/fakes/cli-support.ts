// What the standalone fake runners (`npm run fake:*`) share: reading numbers from the environment and
// closing the fake on Ctrl-C / SIGTERM.

/** A non-negative number from the environment; exits with 2 and a message when it is not one. */
export function envNumber(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
}

/** Closes the fake on SIGINT / SIGTERM (once), then exits. */
export function closeOnSignals(what: string, fake: { close(): Promise<void> }): void {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal} received, shutting down the simulated ${what}`);
    fake.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
