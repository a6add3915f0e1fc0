// What the developer portal's pages show of an app: its review state in words, its credentials
// (never a secret: those are shown once, on the page that creates them), what the review will
// check, its team.
import { issueLines } from '../admin/client-form-errors.ts';
import { formatMoment } from '../admin/french-format.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { usesSecret } from '../clients/client-auth-methods.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import type { ClientIssue } from '../clients/client-values.ts';
import type { DeveloperAppRow, ReviewState } from './developer-app-queries.ts';

export const REVIEW_LABELS: Record<ReviewState, string> = {
  draft: 'Brouillon',
  submitted: 'En cours de validation',
  changes_requested: 'Modifications demandées',
  approved: 'Approuvée',
  refused: 'Refusée',
};

// The badge classes of the stylesheet (status-active, status-pending, …).
const BADGE: Record<ReviewState, string> = {
  draft: 'status-pending',
  submitted: 'status-pending',
  changes_requested: 'status-suspended',
  approved: 'status-active',
  refused: 'status-revoked',
};

export const reviewBadge = (state: ReviewState) => ({ label: REVIEW_LABELS[state], className: BADGE[state] });

export function appsListModel(rows: DeveloperAppRow[]) {
  return {
    apps: rows.map((r) => ({
      id: r.id,
      name: r.name,
      review: reviewBadge(r.review_state),
      createdAt: formatMoment(r.created_at),
    })),
  };
}

export function appPageModel(
  app: DeveloperAppRow,
  clients: { production: ClientRow; sandbox: ClientRow },
  problems: readonly ClientIssue[],
  members: { account_id: string; email: string; role: string }[],
  catalog: Catalog,
) {
  const { production, sandbox } = clients;
  const editable = app.review_state === 'draft' || app.review_state === 'changes_requested';
  return {
    app: {
      id: app.id,
      name: app.name,
      operator: production.operator_name,
      review: reviewBadge(app.review_state),
      state: app.review_state,
      comment: app.review_comment,
      submittedAt: app.submitted_at ? formatMoment(app.submitted_at) : undefined,
      reviewedAt: app.reviewed_at ? formatMoment(app.reviewed_at) : undefined,
    },
    editable,
    sandbox: {
      clientId: sandbox.id,
      usesSecret: usesSecret(sandbox.token_endpoint_auth_method),
      redirectUris: sandbox.redirect_uris,
      scopes: sandbox.scopes.join(' '),
    },
    production: {
      clientId: production.id,
      active: production.status === 'active',
      usesSecret: usesSecret(production.token_endpoint_auth_method),
      secretIssuedAt: app.production_secret_issued_at
        ? formatMoment(app.production_secret_issued_at)
        : undefined,
    },
    problems: issueLines(problems, catalog),
    members: members.map((m) => ({
      id: m.account_id,
      email: m.email,
      owner: m.role === 'owner',
      role: m.role === 'owner' ? 'créateur' : 'membre',
    })),
  };
}
