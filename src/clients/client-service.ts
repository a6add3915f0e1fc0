// Client apps: one service behind the CLI, the admin console, the admin API and RFC 7591
// registration. Every change is one transaction with its audit entry (who, what, before → after);
// secrets are shown once, stored sealed, and never written to the audit trail or returned again.
import { randomBytes } from 'node:crypto';
import { insertAudit } from '../admin/audit-queries.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { insertConsentEvent } from '../consents/consent-queries.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { HIGH_ASSURANCE_ID_TOKEN_ALG, HIGH_ASSURANCE_METADATA } from '../oidc/high-assurance.ts';
import { registeredAuthMethod, usesSecret } from './client-auth-methods.ts';
import {
  activeConsentsOfClient,
  type ClientRow,
  clientIdTaken,
  destroyClientArtifacts,
  destroyClientTokens,
  EDITABLE_COLUMNS,
  type EditableClient,
  findClient,
  insertClient,
  listClients,
  lockClient,
  markClientDeleted,
  setClientSecret,
  updateClient,
} from './client-queries.ts';
import { type ClientInput, clientRules, fetchedUrlsProblem } from './client-rules.ts';
import { chosenClientId, inCatalogWords } from './legacy-client-input.ts';
import { isNativeRedirectUri } from './redirect-uri-rules.ts';
import { fromRfc7591 } from './rfc7591.ts';

export const CLIENT_SECRET_PURPOSE = 'client-secret';

export type NewClientInput = ClientInput & { clientId?: string; clientSecret?: string };

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
  const picked: Record<string, unknown> = { id: row.id };
  for (const column of EDITABLE_COLUMNS) picked[column] = row[column];
  return picked;
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
  async function checkFetchedUrls(input: Partial<ClientInput>): Promise<void> {
    const problem = deps.production ? await fetchedUrlsProblem(input) : undefined;
    if (problem) throw new AppError(400, 'invalid_client_metadata', problem);
  }
  const graceMs = (deps.secretGraceHours ?? 24) * 3_600_000;
  /** Allowed scopes may be given in Pôle emploi Connect's words too (legacy-client-input.ts). */
  function withCatalogScopes<T extends Partial<ClientInput>>(input: T): T {
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
        new AppError(409, 'invalid_client_metadata', `client_id: l’identifiant ${id} est déjà enregistré`);
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
    async update(id: string, patch: Partial<ClientInput>, who: Actor) {
      await checkFetchedUrls(patch);
      return change(
        id,
        who,
        patch.status && Object.keys(patch).length === 1 ? `client.status.${patch.status}` : 'client.update',
        async (row, db) => {
          const merged = { ...rules.toInput(row), ...withCatalogScopes(patch) };
          // Removing a scope drops its purpose too, unless the patch says otherwise.
          if (patch.scopes && !patch.purposes) {
            merged.purposes = Object.fromEntries(
              Object.entries(merged.purposes ?? {}).filter(([s]) => patch.scopes?.includes(s)),
            );
          }
          // A changed audience must be vetted again, unless this very change vets it.
          if (patch.audience !== undefined && patch.audienceVetted === undefined) {
            if (!sameAudience(rules.parse({ ...merged, audienceVetted: false }).audience, row.audience))
              merged.audienceVetted = false;
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
        for (const consent of await activeConsentsOfClient(db, id)) {
          await db.query(
            "UPDATE consents SET status = 'revoked', fields = '{}', revoked_at = now(), updated_at = now() WHERE id = $1",
            [consent.id],
          );
          await insertConsentEvent(db, {
            consentId: consent.id,
            jobseekerId: consent.jobseeker_id,
            clientId: id,
            kind: 'revoked',
            fieldsAdded: [],
            fieldsRemoved: [],
            fieldsAfter: [],
            textsHash: null,
            actor: who.actor.startsWith('admin:') ? 'admin' : who.actor,
            requestId: who.requestId,
          });
          revoked++;
        }
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
          ...(input as ClientInput),
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

// The metadata oidc-provider sees. Only active apps exist for it: a pending or suspended app cannot
// start a flow, redeem a code, refresh or introspect. oidc-provider accepts only its own (OIDC)
// scopes in `scope`; the data scopes an app may request travel in `data_scopes` and are enforced in
// the resource indicator hook. A high-assurance app gets the FAPI 2.0 metadata: PAR required,
// DPoP-bound tokens, ID tokens signed with an allowed algorithm (the rest is in provider-config.ts).
export function toProviderMetadata(
  row: ClientRow,
  box: SecretBox,
  dataScopeIds: ReadonlySet<string>,
  /** data scopes only high-assurance apps may use (see sensitiveScopes in client-rules.ts) */
  highAssuranceScopeIds: ReadonlySet<string> = new Set(),
): Record<string, unknown> | undefined {
  if (row.status !== 'active' || row.deleted_at) return undefined;
  const keyAuth = row.token_endpoint_auth_method === 'private_key_jwt';
  const publicClient = row.token_endpoint_auth_method === 'none';
  // The registration rules make a high-assurance app authenticate by key; a row that does not (from
  // before the rule) cannot run as one, and must not run as a standard app either.
  if (row.high_assurance && !keyAuth) return undefined;
  const dataScopes = row.scopes.filter(
    (s) => dataScopeIds.has(s) && (row.high_assurance || !highAssuranceScopeIds.has(s)),
  );
  return {
    client_id: row.id,
    client_secret:
      usesSecret(row.token_endpoint_auth_method) && row.secret_ciphertext
        ? box.open(row.secret_ciphertext, CLIENT_SECRET_PURPOSE)
        : undefined,
    // OIDC Registration §2: a native app's redirect URIs are loopback or private-use ones (RFC 8252
    // §7), and oidc-provider then accepts any loopback port at request time (§7.3).
    application_type: publicClient && row.redirect_uris.some(isNativeRedirectUri) ? 'native' : 'web',
    client_name: row.name,
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    // OpenID Connect Back-Channel Logout 1.0: a Logout Token by `sub` (we send none with a sid on a
    // withdrawal, src/ssf/backchannel-logout.ts), so a session id is not required.
    ...(row.backchannel_logout_uri
      ? { backchannel_logout_uri: row.backchannel_logout_uri, backchannel_logout_session_required: false }
      : {}),
    response_types: ['code'],
    grant_types: row.scopes.includes('offline_access')
      ? ['authorization_code', 'refresh_token']
      : ['authorization_code'],
    scope: row.scopes.filter((s) => !dataScopeIds.has(s)).join(' '),
    data_scopes: dataScopes,
    token_endpoint_auth_method: registeredAuthMethod(row.token_endpoint_auth_method),
    ...(keyAuth && row.jwks_uri ? { jwks_uri: row.jwks_uri } : {}),
    ...(keyAuth && row.jwks ? { jwks: row.jwks } : {}),
    ...(row.high_assurance
      ? {
          [HIGH_ASSURANCE_METADATA]: true,
          require_pushed_authorization_requests: true,
          dpop_bound_access_tokens: true,
          id_token_signed_response_alg: HIGH_ASSURANCE_ID_TOKEN_ALG,
        }
      : {}),
    ...(row.logo_uri?.startsWith('https://') ? { logo_uri: row.logo_uri } : {}),
    ...(row.policy_uri?.startsWith('https://') ? { policy_uri: row.policy_uri } : {}),
    ...(row.tos_uri?.startsWith('https://') ? { tos_uri: row.tos_uri } : {}),
  };
}
