// What a failed start prints: one line that says what failed, the likely cause and the setting or command
// that fixes it. Expected conditions (a busy port, an unreachable database, a missing folder) are thrown
// as StartupError with that line as message; the few other errors that carry their own clear message
// (configuration, scope catalogue) are shown as they are; anything else is unexpected and keeps its name.
import { ConfigError } from './config.ts';

export class StartupError extends Error {
  override name = 'StartupError';
}

export function describeStartupError(err: unknown): string {
  if (err instanceof StartupError || err instanceof ConfigError) return err.message;
  if (err instanceof Error && err.name === 'CatalogError')
    return `The scope catalogue (scopes/) could not be loaded: ${err.message}`;
  // A non-Error rejection (a library rejecting with undefined) must never print "undefined" alone.
  if (!(err instanceof Error)) return `Unexpected failure: ${String(err)}`;
  return `${err.name}: ${err.message}`;
}

// The short reason of a file-system error, for a message that already names the file.
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOENT: 'no such file or folder',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
  };
  return (code && reasons[code]) ?? (err as Error).message;
}
