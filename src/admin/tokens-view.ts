// The admins and API tokens pages' rows: states in French, dates in Paris time.
import type { AdminListRow, AdminTokenRow } from './admin-queries.ts';
import { formatDay, formatMoment } from './french-format.ts';

export function adminsView(rows: AdminListRow[], myId: string, now = Date.now()) {
  return rows.map((a) => {
    const waiting = a.blocked_until && a.blocked_until.getTime() > now ? a.blocked_until : undefined;
    return {
      id: a.id,
      email: a.email,
      me: a.id === myId,
      createdAt: formatDay(a.created_at),
      secondFactor: a.totp_enabled_at
        ? `Activée le ${formatDay(a.totp_enabled_at)}`
        : a.enrolment_code_expires_at
          ? `À activer (code valable jusqu’au ${formatMoment(a.enrolment_code_expires_at)})`
          : 'À activer : nouveau code d’activation nécessaire',
      failures: a.failures,
      locked: Boolean(a.locked_at),
      state: a.disabled_at
        ? 'Désactivé'
        : a.locked_at
          ? `Verrouillé depuis le ${formatMoment(a.locked_at)}${waiting ? `, prochain essai le ${formatMoment(waiting)}` : ''}`
          : a.failures
            ? `${a.failures} code${a.failures > 1 ? 's' : ''} incorrect${a.failures > 1 ? 's' : ''}${waiting ? `, prochain essai le ${formatMoment(waiting)}` : ''}`
            : 'Normal',
    };
  });
}

export function tokensView(rows: (AdminTokenRow & { admin_email: string })[], now = Date.now()) {
  return rows.map((t) => {
    const status = t.revoked_at
      ? 'revoked'
      : t.expires_at && t.expires_at.getTime() <= now
        ? 'expired'
        : 'active';
    return {
      id: t.id,
      name: t.name,
      owner: t.admin_email,
      createdAt: formatDay(t.created_at),
      expiresAt: t.expires_at ? formatDay(t.expires_at) : 'Jamais',
      lastUsed: t.last_used_at ? formatMoment(t.last_used_at) : 'Jamais',
      status,
      statusLabel: { active: 'Actif', revoked: 'Révoqué', expired: 'Expiré' }[status],
    };
  });
}
