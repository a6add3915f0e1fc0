// Runs the real entry point (`node src/main.ts`) as a child process, with only the environment given
// (plus PATH): for start-up failures (run to its exit) and for the embedded PostgreSQL's life cycle
// (started in its own process group, as a terminal would, so that a Ctrl-C can be sent to the group).
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const NODE = path.resolve('node_modules/.bin/node');
export const MAIN = path.resolve('src/main.ts');

export interface ProviderResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runProvider(
  env: Record<string, string>,
  options: { cwd?: string; main?: string; timeoutMs?: number } = {},
): Promise<ProviderResult> {
  const child = spawn(NODE, [options.main ?? MAIN], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 60_000,
  });
  return outputOf(child);
}

/** What a child process printed, once it has exited. */
export function outputOf(child: ChildProcess): Promise<ProviderResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningProvider {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `command` defaults to `node src/main.ts`; `['npm', 'start']` runs it the README's way. */
export function spawnProvider(env: Record<string, string>, command = [NODE, MAIN]): RunningProvider {
  const [file, ...args] = command;
  const child = spawn(file as string, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitForReady(
  base: string,
  provider: RunningProvider,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (provider.child.exitCode !== null) break;
    const ready = await fetch(`${base}/readyz`).catch(() => undefined);
    if (ready?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the provider did not become ready:\n${provider.output()}`);
}
