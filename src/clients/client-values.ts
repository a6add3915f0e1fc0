// One model of a client app: the row's own names (EditableClient, client-queries.ts), spoken by every
// caller inside (the service, the rules, the CLI, the demo seed, the developer portal, the tests).
// The console form (../admin/client-form.ts), RFC 7591 (rfc7591.ts) and the provider metadata
// (../oidc/provider-client-metadata.ts) are the adapters to and from the outside's spellings.
import { AppError } from '../http/app-error.ts';
import type { EditableClient } from './client-queries.ts';

/** A registration or a change, in the row's names (what the rules validate). */
export type ClientValues = Partial<EditableClient>;

/** The values actually given: an undefined value (a flag or a field left out) is no change. */
export function givenValues(input: ClientValues): ClientValues {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ClientValues;
}

/** One problem of a registration: where (a path in the row's names) and what, in French. */
export interface ClientIssue {
  path: (string | number)[];
  message: string;
}

/**
 * A 400 naming every field at fault. `issues` carry the row's paths for the forms; the message names
 * them as the admin API and RFC 7591 do (`name` → `client_name`), for the API, the CLI and the logs.
 */
export class ClientValidationError extends AppError {
  readonly issues: ClientIssue[];
  constructor(issues: ClientIssue[], nameOf: (path: ClientIssue['path']) => string, status = 400) {
    super(status, 'invalid_client_metadata', issues.map((i) => `${nameOf(i.path)}: ${i.message}`).join('; '));
    this.issues = issues;
  }
}
