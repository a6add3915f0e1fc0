// Reading a JSON Lines file (the jobseeker import, the advisors' portfolio assignments): the lines as
// they come, in constant memory whatever the size, and each one parsed and validated on its own, so
// that a bad line is reported by its number without stopping the good ones.
import { createReadStream } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';

/** The lines of a file (by path) or a stream, CRLF or LF. */
export function readLines(input: string | Readable): Interface {
  const stream = typeof input === 'string' ? createReadStream(input, 'utf8') : input;
  return createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
}

/** One line as its schema reads it, or why it is refused (in French, naming the fields). */
export function parseJsonLine<T>(
  schema: { parse(value: unknown): T },
  text: string,
): { ok: true; value: T } | { ok: false; reason: string } {
  try {
    return { ok: true, value: schema.parse(JSON.parse(text)) };
  } catch (err) {
    return { ok: false, reason: describe(err) };
  }
}

function describe(error: unknown): string {
  if (error instanceof SyntaxError) return 'JSON invalide';
  const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
  if (issues)
    return issues.map((i) => `${i.path.map(String).join('.') || '(ligne)'}: ${i.message}`).join('; ');
  return 'erreur';
}
