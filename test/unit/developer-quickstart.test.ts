// The developer quick start says the same thing everywhere: the README holds every quick-start file
// exactly as /developpeurs shows it (filled for http://localhost:3000) and every common error; the
// placeholders cannot be filled with a value that breaks out of its string.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMON_ERRORS } from '../../src/developers/common-errors.ts';
import { PLACEHOLDERS } from '../../src/developers/quickstart-model.ts';
import {
  fillSnippet,
  readSnippet,
  SNIPPETS,
  type SnippetId,
} from '../../src/developers/quickstart-snippets.ts';

const readme = readFileSync(path.resolve('README.md'), 'utf8');
const values = { ISSUER: 'http://localhost:3000', ...PLACEHOLDERS };

describe('the developer quick start', () => {
  for (const id of Object.keys(SNIPPETS) as SnippetId[]) {
    it(`has the ${id} configuration in the README, as the page shows it`, () => {
      const filled = fillSnippet(readSnippet(path.resolve('docs'), id), values);
      expect(filled).not.toMatch(/\{\{/);
      expect(readme).toContain(filled);
    });
  }

  it('has every common error in the README', () => {
    for (const error of COMMON_ERRORS) {
      expect(readme).toContain(`| \`${error.code}\` |`);
      expect(readme).toContain(error.cause);
      expect(readme).toContain(error.fix);
    }
  });

  it('refuses a value that could leave its string, and an unknown placeholder', () => {
    expect(() => fillSnippet("x = '{{CLIENT_ID}}'", { ...values, CLIENT_ID: "a'; evil()" })).toThrow(
      /unsafe/,
    );
    expect(() => fillSnippet("x = '{{CLIENT_ID}}'", { ...values, CLIENT_ID: 'a\nOIDCX y' })).toThrow(
      /unsafe/,
    );
    expect(() => fillSnippet('{{NOPE}}', values)).toThrow(/unknown placeholder/);
    expect(fillSnippet("x = '{{CLIENT_ID}}'", { ...values, CLIENT_ID: 'abc-_.~123' })).toBe(
      "x = 'abc-_.~123'",
    );
  });
});
