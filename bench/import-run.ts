// Measures `npm run cli -- jobseekers import FILE` as an operator runs it: a child process on a bench
// database, its rows/s as the CLI reports them, and its resident memory sampled all along (it must
// stay flat: the import streams).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { providerEnv, providerRoot } from './stack.ts';

export interface ImportMeasure {
  lines: number;
  imported: number;
  rejected: number;
  seconds: number;
  rows_per_second: number;
  /** resident memory (MiB) at each tenth of the run, then the peak */
  rss_mb_by_tenth: number[];
  peak_rss_mb: number;
}

const rssMb = (pid: number) => {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

export async function measureImport(
  databaseUrl: string,
  file: string,
  lines: number,
): Promise<ImportMeasure> {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'jobseekers', 'import', file], {
    env: { PATH: process.env.PATH, ...providerEnv(databaseUrl, 'warn'), ISSUER: 'https://bench.example.fr' },
    cwd: providerRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssMb(child.pid as number)), 500);
  let stdout = '';
  let progress = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    progress = chunk.toString().split('\r').filter(Boolean).at(-1) ?? progress;
  });
  const report = setInterval(() => process.stderr.write(`\r  import: ${progress.trim()}   `), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  clearInterval(report);
  process.stderr.write('\n');
  const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    imported: number;
    rejected: number;
    seconds: number;
    rows_per_second: number;
  };
  if (code !== 0 || summary.imported !== lines) {
    throw new Error(`import exited with ${code}: ${stdout.slice(0, 500)}`);
  }
  const tenths = Array.from({ length: 10 }, (_, i) =>
    Math.round(samples[Math.floor(((i + 1) * samples.length) / 10) - 1] ?? 0),
  );
  return { lines, ...summary, rss_mb_by_tenth: tenths, peak_rss_mb: Math.round(Math.max(...samples)) };
}
