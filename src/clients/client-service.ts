// Client apps: one service behind the CLI, the admin console, the admin API and RFC 7591
// registration. Every change is one transaction with its audit entry (who, what, before → after);
// secrets are shown once, stored sealed, and never written to the audit trail or returned again.
import { randomBytes } from 'node:crypto';
import { insertAudit } from '../audit/audit-queries.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { revokeClientConsents } from '../consents/client-consents.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { usesSecret } from './client-auth-methods.ts';
import {
  type ClientRow,
  clientIdTaken,
  destroyClientArtifacts,
  destroyClientTokens,
  type EditableClient,
  editableValues,
  findClient,
  insertClient,
  listClients,
  lockClient,
  markClientDeleted,
  setClientSecret,
  updateClient,
} from './client-queries.ts';
import { clientRules, clientValidationError, fetchedUrlsProblem } from './client-rules.ts';
import { type AnyClientValues, type ClientValues, rowNames } from './client-values.ts';
import { chosenClientId, inCatalogWords } from './legacy-client-input.ts';
import { fromRfc7591 } from './rfc7591.ts';

export const CLIENT_SECRET_PURPOSE = 'client-secret';

export type NewClientInput = AnyClientValues & { clientId?: string; clientSecret?: string };

export interface CreatedClient {
  client_id: string;
  client_secret?: string;
}

/** Who did it, for the audit trail: 'admin:<email>', 'cli', 'registration', 'system'. */
export interface Actor {
  actor: string;
  requestId?: string;
}

const newSecret = () => randomBytes(32).toString('base64url');

// Who may vouch for an app's declared audience (Emploi Store recommendations use only a vetted one):
// an admin, the operator's CLI, or the system itself (the demo seed). An app's own registration (RFC
// 7591, later the developer portal) may declare an audience, never vet it.
const mayVetAudience = (who: Actor) =>
  who.actor.startsWith('admin:') || who.actor === 'cli' || who.actor === 'system';
// jsonb keeps keys in its own order: compare with sorted keys (the lists are sorted by the rules).
const canonical = (a: object | null | undefined) =>
  JSON.stringify(a ? Object.entries(a).sort(([x], [y]) => x.localeCompare(y)) : null);
const sameAudience = (a: object | null | undefined, b: object | null | undefined) =>
  canonical(a) === canonical(b);
const notFound = () => new AppError(404, 'not_found', 'Application introuvable.');

// What may be shown and audited of a client: everything but secrets.
export function clientSnapshot(row: ClientRow | (EditableClient & { id: string })) {
  return { id: row.id, ...editableValues(row) };
}

export function createClientService(deps: {
  pool: Pool;
  catalog: Catalog;
  box: SecretBox;
  production: boolean;
  secretGraceHours?: number;
  /** the admin list's last activity looks no further back (src/jobs/access-log-retention.ts) */
  accessLogRetentionDays?: number;
}) {
  const { pool, catalog, box } = deps;
  const rules = clientRules(catalog, deps.production);
  /** The URLs the server will fetch (jwks_uri) lead to public addresses only, in production. */
  async function checkFetchedUrls(input: AnyClientValues): Promise<void> {
    const problem = deps.production ? await fetchedUrlsProblem(rowNames(input)) : undefined;
    if (problem) throw clientValidationError([problem]);
  }
  const graceMs = (deps.secretGraceHours ?? 24) * 3_600_000;
  /** Allowed scopes may be given in Pôle emploi Connect's words too (legacy-client-input.ts). */
  function withCatalogScopes(given: AnyClientValues): ClientValues {
    const input = rowNames(given);
    if (!input.scopes) return input;
    const translated = inCatalogWords(catalog, input.scopes, input.purposes);
    if (!catalog.resolveScopes(input.scopes).legacy) return input;
    return {
      ...input,
      scopes: translated.scopes,
      ...(input.purposes ? { purposes: translated.purposes } : {}),
    };
  }

  async function change(
    id: string,
    who: Actor,
    action: string,
    apply: (row: ClientRow, db: import('pg').PoolClient) => Promise<EditableClient | undefined>,
  ) {
    return withTransaction(pool, async (db) => {
      const row = await lockClient(db, id);
      if (!row) throw notFound();
      const after = await apply(row, db);
      if (after) await updateClient(db, id, after);
      await insertAudit(db, {
        ...who,
        action,
        targetType: 'client',
        targetId: id,
        before: clientSnapshot(row),
        after: after ? clientSnapshot({ ...after, id }) : undefined,
      });
      return (await findClient(db, id)) as ClientRow;
    });
  }

  return {
    rules,
    checkFetchedUrls,

    async create(
      input: NewClientInput,
      who: Actor = { actor: 'system' },
      registeredVia = 'admin',
    ): Promise<CreatedClient> {
      const values = rules.parse(withCatalogScopes(input));
      if (values.audience_vetted && !mayVetAudience(who)) values.audience_vetted = false;
      await checkFetchedUrls(input);
      // RFC 7591 ids are oidc-provider's; an operator (console, admin API, CLI) may choose one only
      // of the Pôle emploi Connect form, so that a partner keeps its configuration. The system's own
      // apps (the demo seed) keep their fixed, readable ids, and so do the developer portal's sandbox
      // twins ('sandbox-…', generated by the portal: the prefix is what makes them sandbox clients).
      const chosen =
        input.clientId !== undefined &&
        registeredVia !== 'registration' &&
        registeredVia !== 'developer-sandbox' &&
        who.actor !== 'system';
      const id = chosen
        ? chosenClientId(input.clientId as string)
        : (input.clientId ?? randomBytes(16).toString('base64url'));
      const taken = () =>
        clientValidationError(
          [{ path: ['client_id'], message: `l’identifiant ${id} est déjà enregistré` }],
          409,
        );
      if (chosen && (await clientIdTaken(pool, id))) throw taken();
      const secret = usesSecret(values.token_endpoint_auth_method)
        ? (input.clientSecret ?? newSecret())
        : undefined;
      await withTransaction(pool, async (db) => {
        try {
          await insertClient(db, {
            ...values,
            id,
            secret_ciphertext: secret ? box.seal(secret, CLIENT_SECRET_PURPOSE) : null,
            registered_via: registeredVia,
          });
        } catch (err) {
          // Two registrations of one chosen id at once: the primary key decides.
          if (chosen && (err as { code?: string }).code === '23505') throw taken();
          throw err;
        }
        await insertAudit(db, {
          ...who,
          action: 'client.create',
          targetType: 'client',
          targetId: id,
          after: clientSnapshot({ ...values, id }),
        });
      });
      return secret ? { client_id: id, client_secret: secret } : { client_id: id };
    },

    /** A partial change: the result is validated as a whole (e.g. activation needs every purpose). */
    async update(id: string, given: AnyClientValues, who: Actor) {
      const patch = rowNames(given);
      await checkFetchedUrls(patch);
      return change(
        id,
        who,
        patch.status && Object.keys(patch).length === 1 ? `client.status.${patch.status}` : 'client.update',
        async (row, db) => {
          const merged: ClientValues = { ...editableValues(row), ...withCatalogScopes(patch) };
          // Removing a scope drops its purpose too, unless the patch says otherwise.
          if (patch.scopes && !patch.purposes) {
            merged.purposes = Object.fromEntries(
              Object.entries(merged.purposes ?? {}).filter(([s]) => patch.scopes?.includes(s)),
            );
          }
          // A changed audience must be vetted again, unless this very change vets it.
          if (patch.audience !== undefined && patch.audience_vetted === undefined) {
            if (!sameAudience(rules.parse({ ...merged, audience_vetted: false }).audience, row.audience))
              merged.audience_vetted = false;
          }
          const after = rules.parse(merged);
          if (
            after.audience_vetted &&
            !mayVetAudience(who) &&
            (!row.audience_vetted || !sameAudience(after.audience, row.audience))
          ) {
            throw new AppError(
              403,
              'forbidden',
              'audience_vetted: seul un administrateur vérifie le public déclaré',
            );
          }
          // Suspension revokes every token and code of the app, in this transaction: re-activation
          // does not bring them back, the app has to sign its users in again. Their consents stay —
          // they are the jobseekers' decisions, which they can withdraw in /account — so that
          // sign-in shows no consent page unless something else changed.
          if (after.status === 'suspended' && row.status !== 'suspended') await destroyClientTokens(db, id);
          return after;
        },
      );
    },

    /** A new secret, shown once; the previous one keeps working for the grace period. */
    async rotateSecret(
      id: string,
      who: Actor,
    ): Promise<{ client_id: string; client_secret: string; previous_secret_expires_at: string }> {
      const secret = newSecret();
      const previousExpiresAt = new Date(Date.now() + graceMs);
      await change(id, who, 'client.secret.rotate', async (row, db) => {
        if (!usesSecret(row.token_endpoint_auth_method)) {
          throw new AppError(
            400,
            'invalid_request',
            row.token_endpoint_auth_method === 'none'
              ? 'cette application est publique (none) : elle n’a pas de secret'
              : 'cette application s’authentifie par clé (private_key_jwt) : pas de secret',
          );
        }
        await setClientSecret(db, id, {
          current: box.seal(secret, CLIENT_SECRET_PURPOSE),
          previous: row.secret_ciphertext,
          previousExpiresAt: row.secret_ciphertext ? previousExpiresAt : null,
        });
        return undefined;
      });
      return {
        client_id: id,
        client_secret: secret,
        previous_secret_expires_at: previousExpiresAt.toISOString(),
      };
    },

    /** Removes an app: every consent is revoked (and recorded in each jobseeker's history), every token deleted. */
    async remove(id: string, who: Actor): Promise<{ revokedConsents: number }> {
      let revoked = 0;
      await change(id, who, 'client.delete', async (row, db) => {
        revoked = await revokeClientConsents(db, id, {
          actor: who.actor.startsWith('admin:') ? 'admin' : who.actor,
          requestId: who.requestId,
        });
        await destroyClientArtifacts(db, id);
        await markClientDeleted(db, row.id);
        return undefined;
      });
      return { revokedConsents: revoked };
    },

    /** RFC 7591 self-service registration: the app arrives pending, to be vetted and approved by an admin. */
    async register(clientId: string, metadata: Record<string, unknown>): Promise<void> {
      const input = fromRfc7591(metadata, (metadata.data_scopes as string[] | undefined) ?? []);
      await this.create(
        {
          ...input,
          clientId,
          clientSecret: metadata.client_secret as string | undefined,
          status: 'pending',
        },
        { actor: 'registration' },
        'registration',
      );
    },

    /** An admin action outside the client rows (e.g. issuing an initial access token). */
    auditEvent: (entry: Parameters<typeof insertAudit>[1]) => insertAudit(pool, entry),

    find: (clientId: string): Promise<ClientRow | undefined> => findClient(pool, clientId),
    list: () => listClients(pool, deps.accessLogRetentionDays ?? 396),

    /** The secrets that authenticate this client right now: the current one, and the previous during its grace. */
    secretsOf(row: ClientRow): { current?: string; previous?: string } {
      const previousLive =
        row.previous_secret_ciphertext &&
        row.previous_secret_expires_at &&
        row.previous_secret_expires_at > new Date();
      return {
        current: row.secret_ciphertext ? box.open(row.secret_ciphertext, CLIENT_SECRET_PURPOSE) : undefined,
        previous: previousLive
          ? box.open(row.previous_secret_ciphertext as string, CLIENT_SECRET_PURPOSE)
          : undefined,
      };
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
