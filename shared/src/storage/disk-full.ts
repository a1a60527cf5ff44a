/*
 * "No room to write": a full disk (ENOSPC), a user's quota (EDQUOT), a file over what the file system
 * takes (EFBIG). Not a bug and not the client's fault, so it has a name of its own everywhere it can
 * surface: a job fails with `disk_full` (never `internal_error`, never retried into the same wall), a
 * route answers 507 `disk_full`, and a worker writing through the server's storage API hears the 507
 * as this same error.
 */

const DISK_FULL_ERRNOS = ['ENOSPC', 'EDQUOT', 'EFBIG'] as const;

/** The storage API's answer to a write the server's disk has no room for. */
export const DISK_FULL_STATUS = 507;

/** A write refused for want of room somewhere this process cannot see (the server's disk, behind its storage API). */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  readonly code = 'disk_full';
}

/** The errno (or `disk_full`) of an error that means "no room", looking through `cause` chains; null otherwise. */
export function diskFullCode(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'disk_full' || (typeof code === 'string' && (DISK_FULL_ERRNOS as readonly string[]).includes(code))) return code as string;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

export function isDiskFull(err: unknown): boolean {
  return diskFullCode(err) !== null;
}
