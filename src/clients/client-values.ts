// One model of a client app: the row's own names (EditableClient, client-queries.ts). The console
// form, the admin API and RFC 7591 (rfc7591.ts), the developer portal and the provider metadata
// (../oidc/provider-client-metadata.ts) are adapters to and from it. The camelCase spelling is the
// same model written as TypeScript callers like it (the CLI, the demo seed, the tests): derived from
// the row's names by a type, read back by one mechanical renaming, never by a table.
import { AppError } from '../http/app-error.ts';
import type { EditableClient } from './client-queries.ts';

/** A registration or a change, in the row's names (what the rules validate). */
export type ClientValues = Partial<EditableClient>;

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

/** The same values spelt in camelCase (`redirectUris` for `redirect_uris`). */
export type ClientInput = { [K in keyof EditableClient as Camel<K>]?: EditableClient[K] };

/** Either spelling (or, for now, both), as the service and the rules accept it. */
export type AnyClientValues = ClientValues & ClientInput;

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The values in the row's names, whichever spelling they came in (undefined values dropped). */
export function rowNames(input: AnyClientValues): ClientValues {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[snake(key)] = value;
  return out as ClientValues;
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
