// The console's one-line notices after a change (`?ok=<key>`, set by the 303 that follows a POST),
// and its not-found page.
import type Koa from 'koa';
import type { consolePage } from './console-page.ts';

const NOTICES: Record<string, string> = {
  enrolled: 'La double authentification est activée : vous êtes connecté.',
  unlocked: 'Le compte est déverrouillé : ses codes incorrects sont oubliés.',
  updated: 'Les modifications sont enregistrées.',
  approved: 'L’application est approuvée : les demandeurs d’emploi peuvent maintenant l’utiliser.',
  suspended:
    'L’application est suspendue : ses jetons sont révoqués, elle ne peut plus connecter personne ni lire de données. Les accords des personnes restent.',
  unchanged: 'Rien n’a changé.',
  deleted: 'L’application est supprimée : ses accords sont révoqués et ses jetons supprimés.',
  'token-revoked': 'Le jeton est révoqué : il ne permet plus d’utiliser l’API d’administration.',
};

// Object.hasOwn: `?ok=__proto__` or `?ok=constructor` names no notice.
export const noticeOf = (ctx: Koa.Context) => {
  const key = String(ctx.query.ok);
  return Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
};

export const notFoundPage = (
  page: ReturnType<typeof consolePage>,
  ctx: Koa.Context,
  what = 'Cette page n’existe pas, ou l’application a été supprimée.',
) => {
  ctx.status = 404;
  page(ctx, 'admin/not-found', { title: 'Page introuvable', message: what });
};
