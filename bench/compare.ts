// Baseline and candidate measured in the same run, alternately (B C, C B, B C, …) so that a slow
// phase of this shared machine weighs on both alike; the figures are medians over the rounds.
import { type ServerChild, withRssSampling } from './child.ts';
import type { LoadResult } from './load.ts';

export interface Side {
  child: ServerChild;
  run: (seconds: number) => Promise<LoadResult>;
}

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  errorKinds: Record<string, number>;
  peakRssMb: number;
  rounds: number[];
  /** the server's own CPU time per successful request (ms), all rounds together */
  cpuMsPerOk: number;
  /** PostgreSQL transactions (each autocommitted statement is one) per successful request */
  dbTransactionsPerOk: number | null;
}

/** The database's transaction counter (pg_stat_database), to count statements per request. */
export type TransactionCounter = () => Promise<number>;

export interface Timing {
  warmupSeconds: number;
  seconds: number;
  rounds: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

interface Runs {
  results: LoadResult[];
  peaks: number[];
  cpu: number[];
  transactions: number[];
}

function summarise({ results, peaks, cpu, transactions }: Runs): Measured {
  const oks = Math.max(
    1,
    results.reduce((a, r) => a + r.ok, 0),
  );
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const errorKinds: Record<string, number> = {};
  for (const r of results)
    for (const [k, n] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    errors: sum(results.map((r) => r.errors)),
    errorKinds,
    peakRssMb: Math.max(...peaks),
    rounds: results.map((r) => Math.round(r.rps)),
    cpuMsPerOk: Math.round((100_000 * sum(cpu)) / oks) / 100,
    dbTransactionsPerOk: transactions.length ? Math.round((10 * sum(transactions)) / oks) / 10 : null,
  };
}

async function measure(side: Side, seconds: number, into: Runs, counter?: TransactionCounter) {
  const before = await counter?.();
  const { result, peakMb, cpuSeconds } = await withRssSampling(side.child, () => side.run(seconds));
  // PostgreSQL publishes other backends' counters with up to a second's delay.
  if (counter) await new Promise((resolve) => setTimeout(resolve, 1_100));
  const after = await counter?.();
  into.results.push(result);
  into.peaks.push(peakMb);
  into.cpu.push(cpuSeconds);
  if (before !== undefined && after !== undefined) into.transactions.push(after - before);
}

export async function alternate(
  timing: Timing,
  candidate: Side,
  baseline?: Side,
  counter?: TransactionCounter,
): Promise<{ candidate: Measured; baseline?: Measured }> {
  // Warm-up: JIT, connection pools and caches of both, not counted.
  await candidate.run(timing.warmupSeconds);
  if (baseline) await baseline.run(timing.warmupSeconds);
  const c: Runs = { results: [], peaks: [], cpu: [], transactions: [] };
  const b: Runs = { results: [], peaks: [], cpu: [], transactions: [] };
  for (let round = 0; round < timing.rounds; round++) {
    const order = round % 2 === 0 ? [baseline, candidate] : [candidate, baseline];
    for (const side of order) {
      if (side) await measure(side, timing.seconds, side === candidate ? c : b, counter);
    }
  }
  return {
    candidate: summarise(c),
    baseline: baseline ? summarise(b) : undefined,
  };
}
