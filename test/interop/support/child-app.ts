// Relying parties that run as their own process (a quick-start app, Apache, a Python script): started
// with a filled copy of their configuration in a temporary folder, waited for until they answer, and
// stopped by their own pid. Their output is kept to explain a failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fillSnippet,
  readSnippet,
  type SnippetId,
  type SnippetValues,
} from '../../../src/developers/quickstart-snippets.ts';
import { appAddress, expectFullScenario, type Interop, jsonAppRoutes, registerApp } from './interop.ts';

const INSTALL_HINT =
  'the interop suite needs: apt-get install apache2 libapache2-mod-auth-openidc python3-authlib python3-requests';

export interface ChildApp {
  dir: string;
  /** what the process wrote so far, stdout and stderr */
  output(): string;
  stop(): Promise<void>;
}

/** A temporary folder holding one quick-start file filled with `values`, and node_modules reachable. */
export function writeSnippet(id: SnippetId, values: SnippetValues, name: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `pec-interop-${id}-`));
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
  const file = path.join(dir, name);
  writeFileSync(file, fillSnippet(readSnippet(path.resolve('docs'), id), values));
  return { dir, file };
}

export async function startChild(
  command: string,
  args: string[],
  o: { dir: string; readyUrl: string; env?: Record<string, string>; logFile?: string },
): Promise<ChildApp> {
  const child: ChildProcess = spawn(command, args, {
    cwd: o.dir,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  let failed: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // Not installed (ENOENT): say which packages bring it.
    child.once('error', (err) => {
      failed = new Error(`${command} could not start (${err.message}); ${INSTALL_HINT}`);
      resolve();
    });
  });
  const app: ChildApp = {
    dir: o.dir,
    output: () => output + (o.logFile && existsSync(o.logFile) ? readFileSync(o.logFile, 'utf8') : ''),
    async stop() {
      if (!failed && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(o.dir, { recursive: true, force: true });
    },
  };
  // Ready when it answers at all (any status): bounded by count, not by a timing assertion.
  for (let attempt = 0; ; attempt++) {
    if (failed) {
      rmSync(o.dir, { recursive: true, force: true });
      throw failed;
    }
    if (child.exitCode !== null) throw new Error(`${command} exited (${child.exitCode}):\n${app.output()}`);
    try {
      await fetch(o.readyUrl, { redirect: 'manual' });
      return app;
    } catch {
      if (attempt > 200) {
        await app.stop();
        throw new Error(`${command} did not answer at ${o.readyUrl}:\n${app.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * A quick-start app of docs/quickstart/ (redirect URI <url>/callback, post-logout <url>/), registered
 * and run as is by `command`: `scenario()` runs the whole scenario on it and reports its output.
 */
export async function startQuickstartApp(
  interop: Interop,
  id: SnippetId,
  o: { file: string; command: string; env?: Record<string, string> },
) {
  const url = await appAddress();
  const client = await registerApp(interop, { redirectUri: `${url}/callback`, afterLogout: `${url}/` });
  const values = { ISSUER: interop.server.issuer, CLIENT_ID: client.client_id, APP_URL: url };
  const { dir } = writeSnippet(
    id,
    { ...values, CLIENT_SECRET: client.client_secret, CRYPTO_PASSPHRASE: '' },
    o.file,
  );
  const app = await startChild(o.command, [o.file], { dir, readyUrl: `${url}/`, env: o.env });
  return {
    app,
    async scenario() {
      try {
        await expectFullScenario(interop, jsonAppRoutes(url, client.client_id));
      } catch (err) {
        throw new Error(`${(err as Error).message}\napp output:\n${app.output()}`, { cause: err });
      }
    },
  };
}
