// Load generation from this process: autocannon for single requests, and a pool of workers for
// multi-request flows. Both report successes per second, latency percentiles of the successes, and
// every failure (non-2xx answer, connection error, timeout) as an error.
import autocannon, { type CannonRequest } from 'autocannon';
import { FORWARDED } from './https-fetch.ts';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** the slowest success, ms */
  max: number;
  errors: number;
  ok: number;
  /** what the errors were, e.g. { "401": 3, timeout: 1 } */
  errorKinds: Record<string, number>;
}

export async function cannon(options: {
  url: string;
  connections: number;
  seconds: number;
  requests: CannonRequest[];
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    headers: { ...FORWARDED },
    requests: options.requests,
  });
  const errorKinds: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    if (!status.startsWith('2')) errorKinds[status] = count;
  }
  if (result.errors) errorKinds.connection = result.errors - result.timeouts;
  if (result.timeouts) errorKinds.timeout = result.timeouts;
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.non2xx + result.errors,
    ok,
    errorKinds,
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number) : 0;

/** `workers` loops each running `once` back to back for `seconds`; a thrown error counts as an error. */
export async function workers(options: {
  workers: number;
  seconds: number;
  once: (worker: number, iteration: number) => Promise<void>;
}): Promise<LoadResult> {
  const durations: number[] = [];
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.workers }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        try {
          await options.once(worker, i);
          durations.push(performance.now() - t0);
        } catch (err) {
          errors++;
          const kind = (err as Error).message.slice(0, 60);
          errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  return {
    rps: durations.length / elapsed,
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
    max: durations.at(-1) ?? 0,
    errors,
    ok: durations.length,
    errorKinds,
  };
}
