// The results: a table on stdout and bench-results/latest.json, an array of rows with exactly the
// fields other tools read (scenario, rps, p50_ms, p99_ms, errors, peak_rss_mb, baseline_rps, ratio,
// target, meets_target).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Row {
  scenario: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  peak_rss_mb: number;
  baseline_rps: number | null;
  ratio: number | null;
  /** e.g. ">= 0.8", or "0 reads after revoke" */
  target: string;
  meets_target: boolean;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function row(fields: Omit<Row, 'ratio'> & { ratio?: number | null }): Row {
  const ratio =
    fields.ratio !== undefined ? fields.ratio : fields.baseline_rps ? fields.rps / fields.baseline_rps : null;
  return {
    scenario: fields.scenario,
    rps: round(fields.rps, 1),
    p50_ms: round(fields.p50_ms, 1),
    p99_ms: round(fields.p99_ms, 1),
    errors: fields.errors,
    peak_rss_mb: round(fields.peak_rss_mb, 0),
    baseline_rps: fields.baseline_rps === null ? null : round(fields.baseline_rps, 1),
    ratio: ratio === null ? null : round(ratio, 2),
    target: fields.target,
    meets_target: fields.meets_target,
  };
}

export function formatTable(rows: Row[]): string {
  const header = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'peak RSS MiB',
    'baseline req/s',
    'ratio',
    'target',
    'met',
  ];
  const cells = rows.map((r) => [
    r.scenario,
    String(r.rps),
    String(r.p50_ms),
    String(r.p99_ms),
    String(r.errors),
    String(r.peak_rss_mb),
    r.baseline_rps === null ? '—' : String(r.baseline_rps),
    r.ratio === null ? '—' : String(r.ratio),
    r.target,
    r.meets_target ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export function writeResults(dir: string, rows: Row[], file = 'latest.json'): string {
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, file);
  writeFileSync(target, `${JSON.stringify(rows, null, 2)}\n`);
  return target;
}
