// Summarises V8 CPU profiles (.cpuprofile, written by `node --cpu-prof`): self time by function and
// by package, so docs/PERFORMANCE.md can say what limits a scenario.
//   node bench/profile-summary.ts bench-results/profiles
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const where = (url: string) => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/src/')) return `src/${url.split('/src/')[1]?.split('/')[0]}`;
  if (url.startsWith('node:')) return 'node core';
  return url ? path.basename(url) : '(native / V8)';
};

export function summariseProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((sum, n) => sum + n.hitCount, 0) || 1;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name =
      `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.hitCount);
    const place =
      functionName === '(idle)' ? '(idle)' : functionName === '(garbage collector)' ? '(gc)' : where(url);
    byPlace.set(place, (byPlace.get(place) ?? 0) + node.hitCount);
  }
  // Inclusive time (a function and everything it called) of our own code and of the main libraries:
  // which step of a request costs what.
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const inclusive = new Map<string, number>();
  for (const node of profile.nodes) {
    if (!node.hitCount) continue;
    const seen = new Set<string>();
    for (let at: ProfileNode | undefined = node; at; at = parent.get(at.id)) {
      const { functionName, url, lineNumber } = at.callFrame;
      if (!/\/src\/|oidc-provider\/lib\/(actions|models|helpers)|pino\/|koa\/lib/.test(url) || !functionName)
        continue;
      const key = `${functionName} ${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + node.hitCount);
    }
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const list = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pct(v)}  ${k}`)
      .join('\n');
  const busy = total - (byPlace.get('(idle)') ?? 0);
  return [
    `${path.basename(file)}: ${total} samples, ${((100 * busy) / total).toFixed(1)}% busy`,
    `self time by package:\n${list(byPlace, 12)}`,
    `top functions (self):\n${list(byFunction, top)}`,
    `our code and main libraries (inclusive):\n${list(inclusive, top + 10)}`,
  ].join('\n');
}

export function summariseProfiles(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summariseProfile(path.join(dir, f)))
    .join('\n\n');
}

if (import.meta.main)
  process.stdout.write(`${summariseProfiles(process.argv[2] ?? 'bench-results/profiles')}\n`);
