// The audit trail as the console shows it: who, what (in French), on which target, and what changed
// (short texts, never a secret).
import type { AuditRow } from '../audit/audit-queries.ts';
import type { ClientStatus } from '../clients/client-queries.ts';
import { STATUS_LABELS } from './client-details-view.ts';
import { formatMoment } from './french-format.ts';

/** Entries per page of the audit trail (the console's and an app's own). */
export const AUDIT_PAGE = 50;

export const ACTION_LABELS: Record<string, string> = {
  'client.create': 'Application enregistrée',
  'client.update': 'Application modifiée',
  'client.status.active': 'Application approuvée',
  'client.status.suspended': 'Application suspendue',
  'client.status.pending': 'Application remise en attente',
  'client.secret.rotate': 'Nouveau secret généré',
  'client.delete': 'Application supprimée',
  // The developer portal (src/developers/developer-apps.ts).
  'developer_app.create': 'Brouillon créé dans l’espace développeurs',
  'developer_app.submit': 'Application soumise à la validation',
  'developer_app.approve': 'Validation : application approuvée',
  'developer_app.request_changes': 'Validation : modifications demandées',
  'developer_app.refuse': 'Validation : application refusée',
  'developer_app.member.add': 'Membre ajouté à l’équipe',
  'developer_app.member.remove': 'Membre retiré de l’équipe',
  'developer.disable': 'Compte développeur désactivé',
  'developer.enable': 'Compte développeur réactivé',
  'admin.create': 'Administrateur créé',
  'admin.totp.reset': 'Double authentification réinitialisée (nouveau code d’activation)',
  'admin.totp.enrol': 'Double authentification activée',
  'admin.second_factor.failure': 'Code de double authentification incorrect',
  'admin.second_factor.lock': 'Compte verrouillé (codes incorrects)',
  'admin.second_factor.unlock': 'Compte déverrouillé',
  'admin_token.create': 'Jeton d’API créé',
  'admin_token.revoke': 'Jeton d’API révoqué',
  'initial_access_token.create': 'Jeton d’accès initial (RFC 7591) émis',
};

const TARGET_LABELS: Record<string, string> = {
  client: 'Application',
  admin: 'Administrateur',
  admin_token: 'Jeton d’API',
  initial_access_token: 'Jeton d’accès initial',
  developer_app: 'Application de l’espace développeurs',
  developer: 'Compte développeur',
};

const KEY_LABELS: Record<string, string> = {
  name: 'nom',
  description: 'description',
  operator_name: 'opérateur',
  operator_siret: 'SIRET',
  website: 'site',
  contact_email: 'contact',
  logo_uri: 'logo',
  policy_uri: 'confidentialité',
  tos_uri: 'conditions',
  token_endpoint_auth_method: 'authentification',
  jwks_uri: 'jwks_uri',
  jwks: 'jwks',
  redirect_uris: 'redirections',
  post_logout_redirect_uris: 'retours après déconnexion',
  backchannel_logout_uri: 'déconnexion par canal arrière',
  scopes: 'scopes',
  purposes: 'finalités',
  consent_duration_days: 'durée de l’accord',
  high_assurance: 'garantie élevée',
  free_for_jobseekers: 'gratuite',
  status: 'statut',
  expires_at: 'expiration',
  expires_in_days: 'validité (jours)',
  email: 'e-mail',
  ip: 'adresse IP',
  step: 'étape',
  failures: 'échecs consécutifs',
  wait_until: 'prochain essai',
  blocked_until: 'prochain essai',
  enrolment_code_expires_at: 'code d’activation valable jusqu’au',
};

// Snapshots hold no secret, but a key that looks like one is never shown, whatever it holds.
const SECRET_KEY = /secret|password|passwd|_hash$|sealed|^token$|ciphertext/i;
const MAX_VALUE = 120;

const STEP_LABELS: Record<string, string> = {
  code: 'code de connexion',
  enrolment_code: 'code d’activation',
  enrolment: 'premier code après activation',
};

function show(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'step' && typeof value === 'string' && Object.hasOwn(STEP_LABELS, value))
    return STEP_LABELS[value] as string;
  if (key === 'status' && typeof value === 'string' && value in STATUS_LABELS)
    return STATUS_LABELS[value as ClientStatus];
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  if (typeof value === 'string' && ISO_DATE.test(value)) return formatMoment(new Date(value));
  if (isTextRecord(value))
    return clip(
      Object.entries(value)
        .map(([k, v]) => `${k} « ${v} »`)
        .join(' ; ') || '—',
    );
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ') || '—';
  return clip(typeof value === 'string' ? value : JSON.stringify(value));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const clip = (shown: string) => (shown.length > MAX_VALUE ? `${shown.slice(0, MAX_VALUE - 1)}…` : shown);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isTextRecord = (v: unknown): v is Record<string, string> =>
  isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

export interface Change {
  key: string;
  label: string;
  before?: string;
  after: string;
}

/**
 * The keys that changed between two snapshots, as short texts. A creation lists what was set (no
 * "before"); a deletion or an action without a new snapshot lists nothing (the action says it all).
 */
export function auditChanges(before: unknown, after: unknown): Change[] {
  if (!isRecord(after)) return [];
  const prior = isRecord(before) ? before : undefined;
  const changes: Change[] = [];
  for (const [key, value] of Object.entries(after)) {
    if (key === 'id' || SECRET_KEY.test(key)) continue;
    const label = KEY_LABELS[key] ?? key;
    if (prior) {
      if (JSON.stringify(prior[key] ?? null) === JSON.stringify(value ?? null)) continue;
      if (isTextRecord(prior[key] ?? {}) && isTextRecord(value ?? {})) {
        // Purposes: one line per scope whose text changed.
        const was = (prior[key] ?? {}) as Record<string, string>;
        const now = (value ?? {}) as Record<string, string>;
        for (const sub of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
          if (was[sub] === now[sub]) continue;
          changes.push({
            key: `${key}.${sub}`,
            label: `${label} · ${sub}`,
            before: show(sub, was[sub]),
            after: show(sub, now[sub]),
          });
        }
        continue;
      }
      changes.push({ key, label, before: show(key, prior[key]), after: show(key, value) });
    } else {
      const empty =
        value === null ||
        value === '' ||
        value === false ||
        (Array.isArray(value) && !value.length) ||
        (isRecord(value) && !Object.keys(value).length);
      if (!empty) changes.push({ key, label, after: show(key, value) });
    }
  }
  return changes;
}

const snapshotName = (row: AuditRow) => {
  const key = row.target_type === 'admin' ? 'email' : 'name';
  const named = [row.after, row.before].find((s) => isRecord(s) && typeof s[key] === 'string');
  return named ? String((named as Record<string, unknown>)[key]) : undefined;
};

const SHOWN_TARGET_IDS = new Set(['client', 'admin', 'admin_token', 'developer_app', 'developer']);

export function auditView(rows: AuditRow[], liveClients: ReadonlySet<string>) {
  return rows.map((row) => {
    const name = snapshotName(row);
    return {
      id: row.id,
      at: formatMoment(row.created_at),
      actor: row.actor,
      // 'admin:<email>' may break after the colon, not inside the address.
      actorPrefix: row.actor.includes(':') ? row.actor.slice(0, row.actor.indexOf(':') + 1) : '',
      actorName: row.actor.includes(':') ? row.actor.slice(row.actor.indexOf(':') + 1) : row.actor,
      action: row.action,
      actionLabel: ACTION_LABELS[row.action] ?? row.action,
      target: {
        type: TARGET_LABELS[row.target_type] ?? row.target_type,
        name,
        // Only ids that name something (never a token's own value or fingerprint).
        id: SHOWN_TARGET_IDS.has(row.target_type) ? row.target_id : undefined,
        href:
          row.target_type === 'client' && row.target_id && liveClients.has(row.target_id)
            ? `/admin/clients/${encodeURIComponent(row.target_id)}`
            : row.target_type === 'developer_app' && row.target_id
              ? `/admin/validations/${encodeURIComponent(row.target_id)}`
              : undefined,
      },
      changes: auditChanges(row.before, row.after),
    };
  });
}
