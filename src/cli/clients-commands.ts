// `clients create`: register a client app from the command line, through the same client service
// (and the same registration rules) as the console and dynamic registration.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AUTH_METHODS, type AuthMethod, allowedAuthMethods } from '../clients/client-auth-methods.ts';
import type { ClientValues } from '../clients/client-values.ts';
import { inCatalogWords } from '../clients/legacy-client-input.ts';
import { CLI_ACTOR, type Command, printJson, usage, withServices } from './cli-services.ts';

const CLIENTS_CREATE_HELP = `Usage: npm run cli -- clients create --name NAME --redirect-uri URI [--redirect-uri URI2]
                                     --scope "openid profile competences …" [options]

Options:
  --name NAME                      the app's name, shown to jobseekers
  --client-id PAR_<app>_<64 hex>   keep the app's Pôle emploi Connect identifier (default: a new one)
  --redirect-uri URI               an exact redirect URI (https; http only on localhost outside production); repeatable
  --post-logout-redirect-uri URI   where RP-initiated logout may return; repeatable
  --scope "S1 S2 …"                the scopes the app may request (must include openid; see scopes/);
                                   Pôle emploi Connect names (coordonnees, pfccompetences…) are
                                   stored as the catalog scopes they release
  --description TEXT               what the app does, shown on the consent page
  --operator NAME                  the organisation that runs it
  --purpose SCOPE=TEXT             why the app needs a data scope, shown next to its fields; repeatable
  --operator-siret SIRET           the operator's SIRET (14 digits)
  --website URL
  --policy-uri URL                 the app's privacy policy, shown on the consent page
  --contact-email EMAIL            who jobseekers write to about their data, shown on the consent page
  --free-for-jobseekers            attest that the app is free of charge for jobseekers
  --consent-duration-days N        how long a consent to this app lasts (default: CONSENT_DURATION_DAYS)
  --token-endpoint-auth-method M   restrict how the app authenticates: client_secret_basic,
                                   client_secret_post, private_key_jwt or none (default: a secret, sent
                                   with client_secret_basic or client_secret_post, as the app prefers)
  --public                         a public client (browser or native app, RFC 8252): no secret, PKCE
                                   only (the same as --token-endpoint-auth-method none)
  --high-assurance                 a FAPI 2.0 app (required for the sensitive scopes): private_key_jwt,
                                   PAR and DPoP; give its public keys with --jwks or --jwks-uri
  --jwks FILE                      a JSON file {"keys": [ … ]} with the app's public keys (private_key_jwt)
  --jwks-uri URL                   the https URL of the app's public keys (private_key_jwt)
  --category ID                    Emploi Store category: cv, offres, formation, orientation, mobilite,
                                   creation_entreprise, accompagnement, vie_quotidienne
  --start-url URL                  where the catalog's « Se connecter » leads (on the redirect URIs' host)
  --audience JSON                  the declared audience, e.g. '{"rome":["D11"],"regions":["84"]}'
                                   (rome, regions, statuses, training_levels, contract_types,
                                   available_now, skills; see the README's Emploi Store section)
  --audience-vetted                the audience has been checked: recommendations may use it
  --status pending|active|suspended  default: active when vetted (a --purpose for every data scope,
                                   --free-for-jobseekers, --policy-uri and --contact-email), pending otherwise`;

const clientsCreate: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      help: { type: 'boolean' },
      name: { type: 'string' },
      'client-id': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      scope: { type: 'string' },
      description: { type: 'string' },
      operator: { type: 'string' },
      purpose: { type: 'string', multiple: true },
      'operator-siret': { type: 'string' },
      website: { type: 'string' },
      'policy-uri': { type: 'string' },
      'contact-email': { type: 'string' },
      'free-for-jobseekers': { type: 'boolean' },
      'consent-duration-days': { type: 'string' },
      status: { type: 'string' },
      'token-endpoint-auth-method': { type: 'string' },
      public: { type: 'boolean' },
      'high-assurance': { type: 'boolean' },
      jwks: { type: 'string' },
      'jwks-uri': { type: 'string' },
      category: { type: 'string' },
      'start-url': { type: 'string' },
      audience: { type: 'string' },
      'audience-vetted': { type: 'boolean' },
    },
  });
  if (values.help) return usage(CLIENTS_CREATE_HELP, true);
  if (!values.name || !values['redirect-uri']?.length || !values.scope) {
    process.stderr.write(`--name, --redirect-uri and --scope are required.\n\n${CLIENTS_CREATE_HELP}\n`);
    return 2;
  }
  const auth = authOptions(values);
  if (typeof auth === 'string') {
    process.stderr.write(`${auth}\n\n${CLIENTS_CREATE_HELP}\n`);
    return 2;
  }
  let audience: ClientValues['audience'];
  if (values.audience) {
    try {
      audience = JSON.parse(values.audience) as ClientValues['audience'];
    } catch {
      process.stderr.write(`--audience must be a JSON object, e.g. '{"rome":["D1106"]}'.\n`);
      return 2;
    }
  }
  const purposes = Object.fromEntries(
    (values.purpose ?? []).map((p) => {
      const at = p.indexOf('=');
      return at > 0 ? [p.slice(0, at), p.slice(at + 1)] : [p, ''];
    }),
  );
  const input = {
    ...(values['client-id'] === undefined ? {} : { client_id: values['client-id'] }),
    name: values.name as string,
    redirect_uris: values['redirect-uri'] as string[],
    post_logout_redirect_uris: values['post-logout-redirect-uri'],
    scopes: (values.scope as string).split(/\s+/).filter(Boolean),
    description: values.description,
    operator_name: values.operator,
    operator_siret: values['operator-siret'],
    website: values.website,
    policy_uri: values['policy-uri'],
    contact_email: values['contact-email'],
    consent_duration_days: values['consent-duration-days']
      ? Number(values['consent-duration-days'])
      : undefined,
    free_for_jobseekers: values['free-for-jobseekers'] ?? false,
    purposes,
    category: values.category,
    start_url: values['start-url'],
    audience,
    audience_vetted: values['audience-vetted'] ?? false,
    ...auth,
  };
  const created = await withServices(async ({ clients, catalog }) => {
    // The vetting below reads the scopes in the catalog's words, as they are stored.
    Object.assign(input, inCatalogWords(catalog, input.scopes, input.purposes));
    // Without --status the app is active when it is fully vetted (a purpose for every data scope, the
    // free-of-charge attestation, its privacy notice), otherwise pending until an admin completes and
    // approves it.
    const missing = input.scopes.filter((s) => catalog.byId.get(s)?.kind === 'data' && !input.purposes[s]);
    const vetted =
      input.free_for_jobseekers && missing.length === 0 && input.policy_uri && input.contact_email;
    const status =
      (values.status as 'pending' | 'active' | 'suspended' | undefined) ?? (vetted ? 'active' : 'pending');
    if (!values.status && !vetted) {
      const why = [
        ...(missing.length ? [`no --purpose for ${missing.join(', ')}`] : []),
        ...(input.free_for_jobseekers ? [] : ['no --free-for-jobseekers attestation']),
        ...(input.policy_uri ? [] : ['no --policy-uri']),
        ...(input.contact_email ? [] : ['no --contact-email']),
      ];
      process.stderr.write(
        `Note: created as pending (${why.join('; ')}); an admin can complete and approve it.\n`,
      );
    }
    const created = await clients.create({ ...input, status }, CLI_ACTOR);
    return {
      ...created,
      status,
      token_endpoint_auth_methods: allowedAuthMethods(input.token_endpoint_auth_method),
    };
  });
  printJson(created);
  return 0;
};

// How the app authenticates, from --token-endpoint-auth-method, --public, --high-assurance, --jwks
// and --jwks-uri; a message when they do not fit together (the registration rules check the rest).
function authOptions(values: {
  'token-endpoint-auth-method'?: string;
  public?: boolean;
  'high-assurance'?: boolean;
  jwks?: string;
  'jwks-uri'?: string;
}): Pick<ClientValues, 'token_endpoint_auth_method' | 'high_assurance' | 'jwks' | 'jwks_uri'> | string {
  const given = values['token-endpoint-auth-method'];
  if (given !== undefined && !(AUTH_METHODS as readonly string[]).includes(given)) {
    return `--token-endpoint-auth-method must be one of ${AUTH_METHODS.join(', ')}.`;
  }
  let method = given as AuthMethod | undefined;
  if (values.public) {
    if (method && method !== 'none') return '--public cannot go with another --token-endpoint-auth-method.';
    method = 'none';
  }
  const keys = values.jwks !== undefined || values['jwks-uri'] !== undefined;
  if (values['high-assurance'] || keys) {
    if (method && method !== 'private_key_jwt') {
      return '--high-assurance, --jwks and --jwks-uri are for private_key_jwt apps.';
    }
    method = 'private_key_jwt';
  }
  if (values['high-assurance'] && !keys) return '--high-assurance needs --jwks FILE or --jwks-uri URL.';
  let jwks: ClientValues['jwks'];
  if (values.jwks !== undefined) {
    try {
      jwks = JSON.parse(readFileSync(values.jwks, 'utf8'));
    } catch (err) {
      return `--jwks ${values.jwks}: not a readable JSON file (${(err as Error).message}).`;
    }
  }
  return {
    token_endpoint_auth_method: method ?? null,
    high_assurance: values['high-assurance'] ?? false,
    jwks,
    jwks_uri: values['jwks-uri'],
  };
}

export const clientsCommands: Record<string, Command> = { 'clients create': clientsCreate };
