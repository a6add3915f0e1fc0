// Pushes queued SETs to the apps' endpoints (RFC 8935). Every instance runs one worker; they share
// the work through the database:
//   - a stream is leased by one instance at a time (claimDueStreams: FOR UPDATE SKIP LOCKED), so its
//     events leave in the order they were queued, and an instance that dies loses its lease after
//     LEASE_SECONDS, when another takes the stream over;
//   - an event is marked delivered only once the receiver answered 202 (RFC 8935 §2.2): a crash in
//     between sends it again, with the same jti (at-least-once; receivers deduplicate on jti);
//   - a failure (network, timeout, 5xx, 408, 429, or 401/403 — the receiver may fix its credentials)
//     stops the stream there, and the next attempt waits 2^failures seconds (capped, with jitter),
//     a time kept in the database, so restarts and other instances honour it;
//   - a 400 with an RFC 8935 §2.3 error is the receiver refusing that SET for good: it is recorded as
//     rejected, with the error, and the stream goes on.
// The same worker sends the Logout Tokens of Back-Channel Logout (backchannel-logout.ts).
// Endpoints are fetched through the SSRF guard (src/security/guarded-fetch.ts): in production, https
// to public addresses only, checked when connecting. Redirects are not followed.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { sendDueLogouts } from './backchannel-logout.ts';
import type { SetSigner } from './set-signer.ts';
import {
  type ClaimedStream,
  claimDueStreams,
  pendingEvents,
  recordFailure,
  releaseLease,
  renewLease,
  settleEvent,
} from './ssf-queries.ts';
import { AUTHORIZATION_HEADER_PURPOSE } from './stream-service.ts';

const LEASE_SECONDS = 30;
const PUSH_TIMEOUT_MS = 10_000;
const BATCH = 50;

export interface DeliveryWorkerOptions {
  pool: Pool;
  box: SecretBox;
  signer: SetSigner;
  logger: Logger;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  intervalMs: number;
  maxBackoffSeconds: number;
  /** wakes the worker when something is queued; returns its stop function (outbox-wakeup.ts) */
  listen?: (wake: () => void) => () => Promise<void>;
}

const describe = (err: unknown) => {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
};

export function createDeliveryWorker(o: DeliveryWorkerOptions) {
  const owner = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let again = false;
  let unlisten: (() => Promise<void>) | undefined;

  async function push(stream: ClaimedStream): Promise<void> {
    for (;;) {
      const events = await pendingEvents(o.pool, stream.id, BATCH);
      if (!events.length) return;
      for (const event of events) {
        if (stopped || !(await renewLease(o.pool, stream.id, owner, LEASE_SECONDS))) return;
        let outcome: { delivered: true } | { rejected: string } | { failed: string };
        try {
          const response = await o.fetch(stream.endpoint_url, {
            method: 'POST',
            headers: {
              'content-type': 'application/secevent+jwt',
              accept: 'application/json',
              ...(stream.authorization_header_sealed
                ? {
                    authorization: o.box.open(
                      stream.authorization_header_sealed,
                      AUTHORIZATION_HEADER_PURPOSE,
                    ),
                  }
                : {}),
            },
            body: await o.signer.sign(event),
            redirect: 'manual',
            signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
          });
          const text = await response.text().catch(() => '');
          if (response.status === 202 || response.status === 200) outcome = { delivered: true };
          else if (response.status === 400) {
            let detail = 'HTTP 400';
            try {
              const b = JSON.parse(text) as { err?: string; description?: string };
              if (b.err)
                detail = `${b.err}${b.description ? `: ${String(b.description).slice(0, 200)}` : ''}`;
            } catch {}
            outcome = { rejected: detail };
          } else outcome = { failed: `HTTP ${response.status}` };
        } catch (err) {
          outcome = { failed: describe(err).slice(0, 300) };
        }
        if ('failed' in outcome) {
          await recordFailure(o.pool, stream.id, event.jti, outcome.failed, o.maxBackoffSeconds);
          o.logger.warn(
            { stream: stream.id, client: stream.client_id, error: outcome.failed },
            'SET push failed',
          );
          return;
        }
        await settleEvent(o.pool, stream.id, event.jti, 'rejected' in outcome ? outcome : {});
      }
    }
  }

  async function tick(): Promise<void> {
    // Logout Tokens (backchannel-logout.ts), then the streams' SETs.
    while (!stopped && (await sendDueLogouts(o, owner)) > 0);
    for (;;) {
      const claimed = await claimDueStreams(o.pool, owner, 10, LEASE_SECONDS);
      if (!claimed.length) return;
      await Promise.all(
        claimed.map((stream) =>
          push(stream)
            .catch((err: Error) =>
              o.logger.warn({ stream: stream.id, err: { message: err.message } }, 'SET delivery step failed'),
            )
            .finally(() => releaseLease(o.pool, stream.id, owner).catch(() => undefined)),
        ),
      );
      if (stopped) return;
    }
  }

  const schedule = (delayMs = o.intervalMs) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      again = false;
      running = tick()
        .catch((err: Error) =>
          o.logger.warn({ err: { message: err.message } }, 'SET delivery failed; will retry'),
        )
        .finally(() => {
          running = undefined;
          // Woken during the pass: go again at once, for what was queued meanwhile.
          schedule(again ? 0 : o.intervalMs);
        });
    }, delayMs);
    timer.unref();
  };
  const wake = () => {
    if (stopped) return;
    if (running) again = true;
    else schedule(0);
  };

  return {
    start() {
      stopped = false;
      unlisten = o.listen?.(wake);
      schedule();
    },
    /** Runs one pass now (tests, and right after a change is committed). */
    runOnce: () => tick(),
    /** Stops claiming; resolves once the delivery in flight has finished. */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await unlisten?.();
      await running;
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
