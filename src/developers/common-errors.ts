// The errors a relying party meets most while integrating, with their cause and the fix: shown on
// /developpeurs and in the README (checked equal by test/unit/developer-quickstart.test.ts).
export interface CommonError {
  /** the OAuth error code, or the HTTP status for what has none */
  code: string;
  /** where it shows */
  where: string;
  cause: string;
  fix: string;
}

export const COMMON_ERRORS: readonly CommonError[] = [
  {
    code: 'invalid_client',
    where: 'POST /token',
    cause:
      'Secret erroné, ou méthode d’authentification que l’application n’a pas le droit d’utiliser (le message donne celles qu’elle peut utiliser), ou application suspendue ou en attente.',
    fix: 'Envoyez le secret en client_secret_basic ou client_secret_post ; une application publique n’envoie aucun secret, seulement client_id.',
  },
  {
    code: 'invalid_grant',
    where: 'POST /token',
    cause:
      'Code expiré (60 secondes), déjà utilisé, ou échangé avec un autre redirect_uri ou un autre code_verifier ; jeton de rafraîchissement déjà utilisé (il change à chaque rafraîchissement) ou accord retiré.',
    fix: 'Échangez le code aussitôt, une seule fois, avec le même redirect_uri ; gardez le dernier refresh_token reçu ; sinon, reconnectez la personne.',
  },
  {
    code: 'invalid_scope',
    where: 'autorisation',
    cause: 'Un scope demandé n’est pas enregistré pour l’application.',
    fix: 'Ne demandez que les scopes de votre enregistrement (tableau des scopes ci-dessus).',
  },
  {
    code: 'invalid_target',
    where: 'autorisation ou POST /token',
    cause: 'Le paramètre resource n’est pas l’adresse de l’API.',
    fix: 'Omettez resource (le jeton vaut pour userinfo et l’API) ou donnez exactement l’adresse de l’API.',
  },
  {
    code: 'invalid_request',
    where: 'autorisation',
    cause:
      'PKCE absent ou en plain, redirect_uri absent, ou requête non poussée (PAR) pour une application haute sécurité.',
    fix: 'Envoyez code_challenge avec code_challenge_method=S256 et le redirect_uri enregistré ; passez par /request si l’application est haute sécurité.',
  },
  {
    code: 'access_denied',
    where: 'retour sur redirect_uri',
    cause: 'La personne a refusé le partage, ou a annulé la connexion.',
    fix: 'Affichez-le simplement : elle peut réessayer plus tard.',
  },
  {
    code: '401 invalid_token',
    where: 'userinfo ou /api/v1/…',
    cause:
      'Jeton expiré (10 minutes par défaut), révoqué, accord retiré, ou jeton lié à DPoP présenté en Bearer.',
    fix: 'Rafraîchissez le jeton ; un jeton DPoP se présente avec Authorization: DPoP et une preuve DPoP.',
  },
  {
    code: '403 insufficient_scope',
    where: '/api/v1/<scope>',
    cause: 'La personne n’a partagé aucune donnée de ce scope.',
    fix: 'C’est son choix : l’application fonctionne sans, ou le redemande plus tard avec prompt=consent.',
  },
  {
    code: 'redirect_uri',
    where: 'page d’erreur de Pôle emploi Connect',
    cause:
      'Le redirect_uri ne correspond pas exactement à une adresse enregistrée (casse, barre finale, paramètres).',
    fix: 'Enregistrez et envoyez exactement la même adresse.',
  },
  {
    code: 'CORS',
    where: 'console du navigateur',
    cause:
      'L’application n’est pas enregistrée comme publique, ou la page ne vient pas de l’origine de l’un de ses redirect_uri.',
    fix: 'Enregistrez l’application monopage comme publique (token_endpoint_auth_method none), servie depuis l’origine de ses redirect_uri.',
  },
];
