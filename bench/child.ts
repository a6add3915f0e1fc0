// Servers under test run in child processes of their own, so that each one's memory can be read from
// /proc and its CPU profiled, while the load is generated from this (the parent) process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FORWARDED } from './https-fetch.ts';

export interface ServerChild {
  name: string;
  /** where to send requests (plain HTTP on loopback) */
  url: string;
  /** the issuer the server believes it has (https, as behind a TLS-terminating proxy) */
  issuer: string;
  port: number;
  pid: number;
  /** current resident memory in MiB, from /proc/<pid>/status */
  rssMb(): number;
  /** peak resident memory since start in MiB (VmHWM) */
  peakRssMb(): number;
  /** CPU time used since start (user + system), in seconds */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

// utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux).
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function waitUntilUp(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode} before answering; see ${logFile}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { headers: FORWARDED });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not answer within 60 s; see ${logFile}`);
}

export interface SpawnOptions {
  name: string;
  /** the script to run, relative to the project root */
  script: string;
  env: Record<string, string>;
  logDir: string;
  /** write a V8 CPU profile to this folder when the server stops */
  cpuProfDir?: string;
  /** the public issuer, when several instances stand behind one name; by default its own port's */
  issuer?: string;
  /** the folder the server runs in (the provider reads scopes/ and views/ from there) */
  cwd?: string;
  /** node options before the script (the provider's come from `npm start`) */
  nodeArgs?: string[];
}

export async function spawnServer(options: SpawnOptions): Promise<ServerChild> {
  const port = await freePort();
  mkdirSync(options.logDir, { recursive: true });
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const out = openSync(logFile, 'w');
  const args = [
    ...(options.nodeArgs ?? []),
    ...(options.cpuProfDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${options.name}.cpuprofile`]
      : []),
  ];
  const issuer = options.issuer ?? `https://127.0.0.1:${port}`;
  // stdout and stderr go to a file, as a container's would: logging costs what it costs in production.
  const child = spawn(process.execPath, [...args, options.script], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...options.env, PORT: String(port), HOST: '127.0.0.1', ISSUER: issuer },
    stdio: ['ignore', out, out],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child, logFile);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const pid = child.pid as number;
  return {
    name: options.name,
    url,
    issuer,
    port,
    pid,
    rssMb: () => statusField(pid, 'VmRSS'),
    peakRssMb: () => statusField(pid, 'VmHWM'),
    cpuSeconds: () => cpuSeconds(pid),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // SIGTERM: the servers shut down gracefully, which is also when --cpu-prof writes its file.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Samples a child's resident memory while some work runs; returns the work's result, the peak, and
 * the CPU time the child used meanwhile (on a shared machine, CPU per request is steadier than
 * requests per second).
 */
export async function withRssSampling<T>(
  child: ServerChild,
  work: () => Promise<T>,
): Promise<{ result: T; peakMb: number; cpuSeconds: number }> {
  const cpuBefore = child.cpuSeconds();
  let peak = child.rssMb();
  const timer = setInterval(() => {
    peak = Math.max(peak, child.rssMb());
  }, 100);
  try {
    const result = await work();
    return { result, peakMb: Math.max(peak, child.rssMb()), cpuSeconds: child.cpuSeconds() - cpuBefore };
  } finally {
    clearInterval(timer);
  }
}
