import { ConfigError, type Config } from '@orchestrator/shared';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;

/**
 * A server reachable from other machines needs team mode: boot refuses a non-loopback HOST unless
 * AUTH=on, or AUTH=off-i-know for someone who guards it another way (a reverse proxy with its own login).
 */
export function assertSafeBinding(config: Config): void {
  if (LOOPBACK.test(config.host) || config.auth !== 'off') return;
  throw new ConfigError(
    `HOST=${config.host} makes the studio reachable from other machines, and it has no login in local mode: set AUTH=on (team mode, with ADMIN_USER and ADMIN_PASSWORD for the first admin), or AUTH=off-i-know if something else guards it`,
  );
}
