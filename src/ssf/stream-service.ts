// Event streams (SSF 1.0 §8.1): an app creates, reads, updates, replaces and deletes its one stream,
// reads and sets its status, asks for a verification event, and — for a poll stream — polls (RFC 8936).
// A stream carries every subject of the app (default_subjects ALL): the jobseekers who consented to
// it. An app reaches only its own stream; another id is a 404 like an unknown one.

import { redirectUriProblem } from '../clients/redirect-uri-rules.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { fetchedUrlProblem } from '../security/public-address.ts';
import type { SetSigner } from './set-signer.ts';
import { EVENTS_SUPPORTED, POLL, PUSH } from './ssf-events.ts';
import {
  deleteStream,
  enqueueVerification,
  findStreamOfClient,
  insertStream,
  pendingEvents,
  type StreamRow,
  settleEvent,
  updateStreamConfig,
  updateStreamStatus,
} from './ssf-queries.ts';

export const AUTHORIZATION_HEADER_PURPOSE = 'ssf-authorization-header';

export interface StreamInput {
  delivery: { method: string; endpoint_url?: string | null; authorization_header?: string | null };
  events_requested: string[];
  description?: string | null;
}

const notFound = () => new AppError(404, 'not_found', 'no such stream');

export function createStreamService(deps: {
  pool: Pool;
  box: SecretBox;
  signer: SetSigner;
  issuer: string;
  production: boolean;
}) {
  const { pool, box, issuer } = deps;
  const pollUrl = (id: string) => `${issuer}/ssf/poll/${id}`;

  function view(s: StreamRow) {
    return {
      stream_id: s.id,
      iss: issuer,
      aud: s.client_id,
      delivery: {
        method: s.delivery_method,
        endpoint_url: s.delivery_method === POLL ? pollUrl(s.id) : s.endpoint_url,
      },
      events_supported: EVENTS_SUPPORTED,
      events_requested: s.events_requested,
      events_delivered: s.events_delivered,
      ...(s.description ? { description: s.description } : {}),
    };
  }

  // Push endpoints are fetched by the server: https (http on loopback outside production, as for
  // redirect URIs), and in production a public address (checked again at connect time by the guard).
  async function columns(input: StreamInput) {
    const { method } = input.delivery;
    let endpointUrl: string | null = null;
    if (method === PUSH) {
      endpointUrl = input.delivery.endpoint_url ?? null;
      if (!endpointUrl)
        throw new AppError(400, 'invalid_request', 'delivery.endpoint_url is required for push');
      const problem =
        redirectUriProblem(endpointUrl, deps.production) ??
        (deps.production ? await fetchedUrlProblem(endpointUrl) : undefined);
      if (problem) throw new AppError(400, 'invalid_request', `delivery.endpoint_url ${problem}`);
    } else if (method === POLL) {
      if (input.delivery.endpoint_url)
        throw new AppError(
          400,
          'invalid_request',
          'a poll stream’s endpoint_url is the transmitter’s: omit it',
        );
    } else {
      throw new AppError(400, 'invalid_request', `delivery.method must be ${PUSH} or ${POLL}`);
    }
    const header = input.delivery.authorization_header;
    return {
      deliveryMethod: method,
      endpointUrl,
      authorizationHeaderSealed:
        method === PUSH && header ? box.seal(header, AUTHORIZATION_HEADER_PURPOSE) : null,
      eventsRequested: [...new Set(input.events_requested)],
      eventsDelivered: EVENTS_SUPPORTED.filter((e) => input.events_requested.includes(e)),
      description: input.description ?? null,
    };
  }

  async function own(clientId: string, streamId: string | undefined): Promise<StreamRow> {
    const stream = await findStreamOfClient(pool, clientId);
    if (!stream || (streamId !== undefined && stream.id !== streamId)) throw notFound();
    return stream;
  }

  return {
    view,

    async create(clientId: string, input: StreamInput) {
      const created = await insertStream(pool, { clientId, ...(await columns(input)) });
      if (!created) throw new AppError(409, 'conflict', 'this application already has a stream');
      return view(created);
    },

    /** Without an id, the app's streams (zero or one), as SSF 1.0 §8.1.1.2 lists them. */
    async read(clientId: string, streamId: string | undefined) {
      if (streamId !== undefined) return view(await own(clientId, streamId));
      const stream = await findStreamOfClient(pool, clientId);
      return stream ? [view(stream)] : [];
    },

    /** PATCH (partial: what is absent stays) or PUT (replace). */
    async update(clientId: string, streamId: string, input: Partial<StreamInput>, replace: boolean) {
      const stream = await own(clientId, streamId);
      const merged: StreamInput = replace
        ? (input as StreamInput)
        : {
            delivery: input.delivery ?? {
              method: stream.delivery_method,
              endpoint_url: stream.endpoint_url,
              authorization_header: stream.authorization_header_sealed
                ? box.open(stream.authorization_header_sealed, AUTHORIZATION_HEADER_PURPOSE)
                : null,
            },
            events_requested: input.events_requested ?? stream.events_requested,
            description: input.description === undefined ? stream.description : input.description,
          };
      return view(await updateStreamConfig(pool, stream.id, await columns(merged)));
    },

    async remove(clientId: string, streamId: string) {
      const stream = await own(clientId, streamId);
      await deleteStream(pool, stream.id);
    },

    async status(clientId: string, streamId: string) {
      const s = await own(clientId, streamId);
      return { stream_id: s.id, status: s.status, ...(s.status_reason ? { reason: s.status_reason } : {}) };
    },

    async setStatus(clientId: string, streamId: string, status: string, reason: string | null) {
      const stream = await own(clientId, streamId);
      const s = await withTransaction(pool, (db) => updateStreamStatus(db, stream.id, status, reason));
      return { stream_id: s.id, status: s.status, ...(s.status_reason ? { reason: s.status_reason } : {}) };
    },

    async verify(clientId: string, streamId: string, state: string | undefined) {
      const stream = await own(clientId, streamId);
      if (stream.status !== 'enabled') throw new AppError(409, 'conflict', `the stream is ${stream.status}`);
      await enqueueVerification(pool, stream, state);
    },

    /**
     * RFC 8936 §2.4: acknowledges (and records errors for) what the receiver names, then returns up to
     * maxEvents pending SETs, oldest first; waits up to `waitMs` for one when asked not to return at once.
     */
    async poll(
      clientId: string,
      streamId: string,
      request: {
        ack: string[];
        setErrs: Record<string, { err: string; description?: string }>;
        maxEvents: number;
      },
      waitMs: number,
    ) {
      const stream = await own(clientId, streamId);
      if (stream.delivery_method !== POLL)
        throw new AppError(400, 'invalid_request', 'this stream is a push stream');
      for (const jti of request.ack) await settleEvent(pool, stream.id, jti, {});
      for (const [jti, e] of Object.entries(request.setErrs))
        await settleEvent(pool, stream.id, jti, {
          rejected: `${e.err}${e.description ? `: ${e.description}` : ''}`,
        });
      const deadline = Date.now() + waitMs;
      for (;;) {
        const events =
          stream.status === 'enabled' && request.maxEvents > 0
            ? await pendingEvents(pool, stream.id, request.maxEvents + 1)
            : [];
        if (events.length || Date.now() >= deadline) {
          const sets: Record<string, string> = {};
          for (const e of events.slice(0, request.maxEvents)) sets[e.jti] = await deps.signer.sign(e);
          return { sets, moreAvailable: events.length > request.maxEvents };
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

export type StreamService = ReturnType<typeof createStreamService>;
