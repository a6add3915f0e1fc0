// Developer accounts of /developpeurs over HTTP: sign-up, verification through the mail outbox,
// sign-in only once verified, the same answer for a known and an unknown address, argon2id hashes,
// throttling, CSRF, sign-out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPage, post } from '../support/admin-console.ts';
import {
  DEV_PASSWORD,
  lastMail,
  linkIn,
  newDeveloperEmail,
  signIn,
  signUp,
} from '../support/developer-portal.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('developer sign-up and verification', () => {
  it('writes a verification link to the outbox; the account signs in only once it is used', async () => {
    const email = newDeveloperEmail();
    const agent = new UserAgent();
    const signedUp = await signUp(server, email, agent);
    expect(signedUp.response.status).toBe(303);
    expect(signedUp.location).toBe('/developpeurs/inscription/envoyee');

    const { rows } = await server.pool.query(
      'SELECT password_hash, verified_at FROM developer_accounts WHERE email = $1',
      [email],
    );
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(rows[0].verified_at).toBeNull();
    // Only a hash of the link's token is stored.
    const mail = await lastMail(server, email);
    const link = linkIn(mail?.body ?? '') as string;
    expect(link).toBeTruthy();
    const token = new URL(link).searchParams.get('jeton') as string;
    const stored = await server.pool.query('SELECT token_hash FROM developer_email_tokens');
    expect(stored.rows.some((r) => r.token_hash === token)).toBe(false);

    const early = await signIn(server, email, agent);
    expect(early.response.status).toBe(403);
    expect(early.html).toContain('pas encore vérifiée');

    const verified = await agent.request(link);
    expect(verified.status).toBe(303);
    expect(verified.headers.get('location')).toBe('/developpeurs/connexion?verifie=1');
    // A link works once.
    expect((await agent.request(link)).status).toBe(400);

    const ok = await signIn(server, email, agent);
    expect(ok.response.status).toBe(303);
    expect(ok.location).toBe('/developpeurs/applications');
  });

  it('answers a sign-up with a taken address as any other, and mails its owner instead', async () => {
    const email = newDeveloperEmail();
    await signUp(server, email);
    const again = await signUp(server, email.toUpperCase());
    expect(again.response.status).toBe(303);
    expect(again.location).toBe('/developpeurs/inscription/envoyee');
    expect((await lastMail(server, email))?.subject).toContain('déjà un compte');
    const count = await server.pool.query(
      'SELECT count(*)::int AS n FROM developer_accounts WHERE lower(email) = $1',
      [email],
    );
    expect(count.rows[0].n).toBe(1);
    // The form cannot flood one mailbox: sign-ups for an address are throttled.
    let status = 0;
    for (let i = 0; i < 10 && status !== 429; i++) status = (await signUp(server, email)).response.status;
    expect(status).toBe(429);
  });

  it('refuses a bad form with its problems (400), a short password, a bad SIRET', async () => {
    const res = await post(
      new UserAgent(),
      server,
      '/developpeurs/inscription',
      '/developpeurs/inscription',
      [
        ['email', 'pas-une-adresse'],
        ['password', 'court'],
        ['organisation', ''],
        ['siret', '123'],
      ],
    );
    expect(res.response.status).toBe(400);
    expect(res.html).toContain('adresse e-mail invalide');
    expect(res.html).toContain('au moins 12 caractères');
    expect(res.html).toContain('14 chiffres');
    expect(res.html).toContain('aria-invalid="true"');
  });

  it('a wrong password and an unknown address get the same answer; attempts are throttled', async () => {
    const email = newDeveloperEmail();
    await signUp(server, email);
    const wrong = await signIn(server, email, new UserAgent(), 'pas le bon mot de passe');
    const unknown = await signIn(server, newDeveloperEmail(), new UserAgent(), DEV_PASSWORD);
    expect(wrong.response.status).toBe(401);
    expect(unknown.response.status).toBe(401);
    const message = (html: string) => /role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1];
    expect(message(wrong.html)).toBe(message(unknown.html));

    let last = 0;
    for (let i = 0; i < 11; i++)
      last = (await signIn(server, email, new UserAgent(), 'encore un mauvais mot de passe')).response.status;
    expect(last).toBe(429);
  });

  it('refuses a form post without its CSRF token, and signs out', async () => {
    const res = await fetch(`${server.issuer}/developpeurs/inscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer },
      body: new URLSearchParams({ email: newDeveloperEmail(), password: DEV_PASSWORD, organisation: 'X' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(403);

    const email = newDeveloperEmail();
    const agent = new UserAgent();
    await signUp(server, email, agent);
    await agent.request(linkIn((await lastMail(server, email))?.body ?? '') as string);
    await signIn(server, email, agent);
    const out = await post(agent, server, '/developpeurs/connexion', '/developpeurs/deconnexion', []);
    expect(out.location).toBe('/developpeurs/connexion?deconnecte=1');
    const page = await getPage(agent, server, '/developpeurs/connexion?deconnecte=1');
    expect(page.html).toContain('Vous êtes déconnecté');
  });

  it('resets a forgotten password by a one-time link: same answer for anyone, other sessions end', async () => {
    const email = newDeveloperEmail();
    const agent = new UserAgent();
    await signUp(server, email, agent);
    const verify = linkIn((await lastMail(server, email))?.body ?? '') as string;
    await agent.request(verify);
    await signIn(server, email, agent);
    expect((await agent.request(`${server.issuer}/developpeurs/applications`)).status).toBe(200);

    const ask = (address: string) =>
      post(
        new UserAgent(),
        server,
        '/developpeurs/mot-de-passe-oublie',
        '/developpeurs/mot-de-passe-oublie',
        [['email', address]],
      );
    const unknown = newDeveloperEmail();
    expect((await ask(unknown)).location).toBe('/developpeurs/mot-de-passe-oublie?envoye=1');
    expect(await lastMail(server, unknown)).toBeUndefined();
    expect((await ask(email)).location).toBe('/developpeurs/mot-de-passe-oublie?envoye=1');
    const body = (await lastMail(server, email))?.body ?? '';
    const reset = /https?:\/\/\S+\/developpeurs\/nouveau-mot-de-passe\?jeton=([\w-]+)/.exec(body);
    expect(reset).toBeTruthy();
    const token = reset?.[1] as string;
    // A verification link is no reset link, and the reverse.
    const verifyToken = new URL(verify).searchParams.get('jeton') as string;
    expect(
      (await fetch(`${server.issuer}/developpeurs/nouveau-mot-de-passe?jeton=${verifyToken}`)).status,
    ).toBe(400);
    expect(
      (await fetch(`${server.issuer}/developpeurs/verification?jeton=${token}`, { redirect: 'manual' }))
        .status,
    ).toBe(400);

    const page = `/developpeurs/nouveau-mot-de-passe?jeton=${token}`;
    const short = await post(new UserAgent(), server, page, '/developpeurs/nouveau-mot-de-passe', [
      ['jeton', token],
      ['password', 'court'],
    ]);
    expect(short.response.status).toBe(400);
    const done = await post(new UserAgent(), server, page, '/developpeurs/nouveau-mot-de-passe', [
      ['jeton', token],
      ['password', 'un tout nouveau mot de passe'],
    ]);
    expect(done.location).toBe('/developpeurs/connexion?nouveau=1');
    // The link worked once; the old session is over; the old password no longer works.
    expect((await fetch(`${server.issuer}${page}`)).status).toBe(400);
    expect((await agent.request(`${server.issuer}/developpeurs/applications`)).status).toBe(302);
    expect((await signIn(server, email, new UserAgent())).response.status).toBe(401);
    expect((await signIn(server, email, new UserAgent(), 'un tout nouveau mot de passe')).location).toBe(
      '/developpeurs/applications',
    );
  });
});
