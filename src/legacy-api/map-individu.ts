// peconnect-individu/v1/userinfo, from the openid, profile and email scopes (PECONNECT.md §2.4).
import { type LegacySource, put, text, upper } from './legacy-source.ts';

export const userinfoSources = [
  'profile.given_name',
  'profile.family_name',
  'profile.gender',
  'email.email',
] as const;

export function mapUserinfo(source: LegacySource): Record<string, unknown> {
  const { claims, released } = source;
  // The pairwise identifier goes with every answer (the consent page says so): as `sub`, and as
  // idIdentiteExterne in the UUID form the apps validate (immersion facile keys accounts on it).
  const out: Record<string, unknown> = { sub: source.sub, idIdentiteExterne: source.externalId };
  put(out, released, 'profile.given_name', 'given_name', () => upper(claims.given_name));
  put(out, released, 'profile.family_name', 'family_name', () => upper(claims.family_name));
  put(out, released, 'profile.gender', 'gender', () => text(claims.gender));
  // Optional in the legacy answer: absent when not released, and when there is none.
  if (released.has('email.email') && text(claims.email)) out.email = claims.email;
  // When the profile last changed is sent with the profile only; 0 otherwise, as in the samples.
  const anyProfile = userinfoSources.some((key) => released.has(key));
  out.updated_at = anyProfile ? Math.floor(source.updatedAt.getTime() / 1000) : 0;
  return out;
}
