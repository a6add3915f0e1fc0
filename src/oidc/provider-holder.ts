// oidc-provider takes its keys when it is constructed. To follow key rotation (signing-keys.ts) without
// a restart, each instance polls the signing_keys table (a cheap query on a tiny table, every
// KEY_POLL_INTERVAL_SECONDS and at the next known activation or retirement) and, when the set of
// published or active keys has changed, builds a new Provider with the new key set and swaps it in
// atomically. Everything else (database, services, routers, sessions) is shared; a request runs
// entirely on the provider that was current when it arrived, so requests in flight finish on the old
// one. The other parts of the app hold a delegating `provider` that always reaches the current one.

import type { JWK } from 'jose';
import type Koa from 'koa';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { ensureSigningKeys, loadKeySet, readKeyMarker } from './signing-keys.ts';

export interface ProviderHolder {
  /** delegates every property and method to the provider current at the time of the call */
  readonly provider: Provider;
  /** runs each request on the provider current when the request arrives */
  readonly middleware: Koa.Middleware;
  /** the published kids, in keystore order, with whether each signs */
  readonly fingerprint: string;
  /** checks the keys now; resolves true when a new provider was swapped in */
  refresh(): Promise<boolean>;
  close(): void;
}

interface Current {
  provider: Provider;
  middleware: Koa.Middleware;
  fingerprint: string;
}

// oidc-provider keeps its state in private class fields, so its methods must run with the real
// instance as `this`; its model classes (AccessToken, Grant…) are getters and come through as they are.
function delegate(current: () => Provider): Provider {
  const isMethod = (target: object, prop: string | symbol) => {
    for (let o: object | null = target; o; o = Object.getPrototypeOf(o)) {
      const descriptor = Object.getOwnPropertyDescriptor(o, prop);
      if (descriptor) return typeof descriptor.value === 'function' && o !== target;
    }
    return false;
  };
  return new Proxy({} as Provider, {
    get(_, prop) {
      const target = current();
      const value = Reflect.get(target, prop, target);
      return isMethod(target, prop) ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(_, prop, value) {
      return Reflect.set(current(), prop, value);
    },
    has(_, prop) {
      return prop in current();
    },
    getPrototypeOf() {
      return Object.getPrototypeOf(current());
    },
  });
}

export async function createProviderHolder(deps: {
  pool: Pool;
  box: SecretBox;
  logger: Logger;
  pollIntervalMs: number;
  build: (jwks: JWK[]) => Promise<Provider>;
}): Promise<ProviderHolder> {
  const { pool, box, logger, pollIntervalMs, build } = deps;

  const install = async (): Promise<{ current: Current; nextChangeMs: number | undefined }> => {
    const set = await loadKeySet(pool, box);
    const provider = await build(set.keys);
    return {
      current: { provider, middleware: mount(provider), fingerprint: set.fingerprint },
      nextChangeMs: set.nextChangeMs,
    };
  };

  await ensureSigningKeys(pool, box);
  const first = await install();
  let current = first.current;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<boolean> | undefined;

  const check = async (): Promise<{ swapped: boolean; nextChangeMs: number | undefined }> => {
    const marker = await readKeyMarker(pool);
    if (marker.fingerprint === current.fingerprint) return { swapped: false, ...marker };
    const next = await install();
    if (next.current.fingerprint === current.fingerprint) return { swapped: false, ...next };
    const previous = current.fingerprint;
    current = next.current;
    logger.info({ from: previous, to: current.fingerprint }, 'signing keys changed: provider rebuilt');
    return { swapped: true, nextChangeMs: next.nextChangeMs };
  };

  // One check at a time; the timer is re-armed after each, at the poll interval or just after the next
  // known activation or retirement, whichever comes first.
  const schedule = (nextChangeMs: number | undefined) => {
    if (closed) return;
    const delay = Math.min(pollIntervalMs, nextChangeMs === undefined ? Infinity : nextChangeMs + 50);
    timer = setTimeout(() => void refresh(), Math.max(10, delay));
    timer.unref();
  };

  const refresh = (): Promise<boolean> => {
    running ??= (async () => {
      clearTimeout(timer);
      let nextChangeMs: number | undefined;
      try {
        const outcome = await check();
        nextChangeMs = outcome.nextChangeMs;
        return outcome.swapped;
      } catch (err) {
        logger.warn({ err: { message: (err as Error).message } }, 'signing key check failed; will retry');
        return false;
      } finally {
        running = undefined;
        schedule(nextChangeMs);
      }
    })();
    return running;
  };

  schedule(first.nextChangeMs);

  return {
    provider: delegate(() => current.provider),
    middleware: (ctx, next) => current.middleware(ctx, next),
    get fingerprint() {
      return current.fingerprint;
    },
    refresh,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
