// The developer quick start's configurations (docs/quickstart/): the very files the interop suite runs
// against a live provider (test/interop/), so what /developpeurs and the README show is known to work.
// Each holds placeholders such as {{ISSUER}} inside string literals; filling them refuses any value
// that could break out of a string or a configuration line.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SNIPPETS = {
  'openid-client': { file: 'openid-client.mjs', language: 'javascript' },
  authlib: { file: 'authlib_app.py', language: 'python' },
  mod_auth_openidc: { file: 'mod_auth_openidc.conf', language: 'apache' },
  'oidc-client-ts': { file: 'oidc-client-ts.js', language: 'javascript' },
} as const;

export type SnippetId = keyof typeof SNIPPETS;

export interface SnippetValues {
  ISSUER: string;
  CLIENT_ID: string;
  CLIENT_SECRET: string;
  /** where the app itself is reachable; its redirect URIs are under it */
  APP_URL: string;
  /** mod_auth_openidc's key for its cookies and cache */
  CRYPTO_PASSPHRASE: string;
}

// URL and identifier characters only: no quote, backslash, space or line break.
const SAFE_VALUE = /^[A-Za-z0-9._~:/?#[\]@!$&()*+,;=%-]*$/;
const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g;

export function snippetsDir(docsDir: string): string {
  return path.join(docsDir, 'quickstart');
}

export function readSnippet(docsDir: string, id: SnippetId): string {
  return readFileSync(path.join(snippetsDir(docsDir), SNIPPETS[id].file), 'utf8');
}

export function fillSnippet(text: string, values: SnippetValues): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name as keyof SnippetValues];
    if (value === undefined) throw new Error(`unknown placeholder {{${name}}}`);
    if (!SAFE_VALUE.test(value)) throw new Error(`unsafe value for {{${name}}}`);
    return value;
  });
}
