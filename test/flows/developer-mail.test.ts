// The development mail sender: each message goes to the mail_outbox table, where the CLI reads it
// back (`mail outbox`); the log says a message was written, without its link (a credential).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { lastMail, linkIn, newDeveloperEmail, signUp } from '../support/developer-portal.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
const lines: string[] = [];
beforeAll(async () => {
  const log = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  server = await startTestServer({ LOG_LEVEL: 'info' }, log);
});
afterAll(() => server?.close());

describe('the mail outbox', () => {
  it('holds the verification message, which the CLI prints; the log never holds its link', async () => {
    const email = newDeveloperEmail();
    await signUp(server, email);
    const link = linkIn((await lastMail(server, email))?.body ?? '') as string;
    const token = new URL(link).searchParams.get('jeton') as string;

    const cli = await runCli(['mail', 'outbox', '--limit', '1'], { databaseUrl: server.db.url });
    expect(cli.code, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout.trim()) as { recipient: string; body: string };
    expect(printed.recipient).toBe(email);
    expect(printed.body).toContain(link);

    expect((await fetch(link, { redirect: 'manual' })).status).toBe(303); // verified (and logged by path only)
    const logged = lines.join('');
    expect(logged).toContain('mail written to the outbox');
    expect(logged).toContain('partenaire.example');
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(email); // the domain only
    expect((await runCli(['mail', 'outbox', '--limit', 'x'], { databaseUrl: server.db.url })).code).toBe(2);
  });
});
