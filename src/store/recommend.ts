// The recommendation rule, public and the same for every app (the catalog page states it in words):
// 1. An app is recommended to a jobseeker when its audience was vetted by an admin and the jobseeker
//    matches every criterion it declares (each criterion: any one of its values).
// 2. Apps are ranked by the number of criteria matched — a more specific match first.
// 3. Apps with the same number are ordered by identifier, then that list is rotated by one place each
//    day, so every app of a tie leads as often as every other.
// The function sees only each app's identifier and audience: no name, operator, date or anything an
// app could pay for or an admin could favour. Pure and deterministic for (traits, apps, day).
import { type Audience, NOT_REGISTERED } from './audience.ts';
import type { JobseekerTraits } from './jobseeker-traits.ts';

export interface RecommendableApp {
  id: string;
  audience: Audience;
}

export interface Recommendation {
  id: string;
  /** one sentence per criterion matched, « Parce que … » */
  reasons: string[];
}

export interface AudienceLabels {
  regions: { labels: Record<string, string> };
  statuses: { labels: Record<string, string> };
  trainingLevels: { labels: Record<string, string> };
  contractTypes: { labels: Record<string, string> };
}

const label = (labels: Record<string, string>, value: string) => labels[value] ?? value;

/** The reasons a jobseeker is in this audience, or undefined when a declared criterion does not match. */
export function matchAudience(
  traits: JobseekerTraits,
  audience: Audience,
  labels: AudienceLabels,
): string[] | undefined {
  const reasons: string[] = [];
  const need = (ok: string | undefined) => {
    if (ok === undefined) return false;
    reasons.push(ok);
    return true;
  };
  if (audience.rome) {
    const job = traits.targetJobs.find((j) => audience.rome?.some((prefix) => j.code.startsWith(prefix)));
    if (!need(job && `Parce que vous recherchez un emploi « ${job.label} » (${job.code})`)) return undefined;
  }
  if (audience.regions) {
    const region = traits.region && audience.regions.includes(traits.region.code) ? traits.region : undefined;
    const name = region && label(labels.regions.labels, region.code);
    const text =
      region?.from === 'zone'
        ? `Parce que vous cherchez un emploi dans la région ${name}`
        : region && `Parce que votre adresse est dans la région ${name}`;
    if (!need(text)) return undefined;
  }
  if (audience.statuses) {
    const status = traits.status && audience.statuses.includes(traits.status) ? traits.status : undefined;
    const text =
      status === NOT_REGISTERED
        ? 'Parce que vous n’êtes pas inscrit comme demandeur d’emploi'
        : status && `Parce que votre situation est : ${label(labels.statuses.labels, status)}`;
    if (!need(text)) return undefined;
  }
  if (audience.training_levels) {
    const level =
      traits.trainingLevel && audience.training_levels.includes(traits.trainingLevel)
        ? traits.trainingLevel
        : undefined;
    if (
      !need(level && `Parce que votre plus haut diplôme est : ${label(labels.trainingLevels.labels, level)}`)
    )
      return undefined;
  }
  if (audience.contract_types) {
    const types = traits.contractTypes.filter((t) => audience.contract_types?.includes(t));
    const text = types.length
      ? `Parce que vous acceptez ${types.length > 1 ? 'ces types de contrat' : 'ce type de contrat'} : ${types
          .map((t) => label(labels.contractTypes.labels, t))
          .join(', ')}`
      : undefined;
    if (!need(text)) return undefined;
  }
  if (audience.available_now) {
    if (!need(traits.availableNow === true ? 'Parce que vous êtes disponible tout de suite' : undefined))
      return undefined;
  }
  if (audience.skills) {
    const skill = traits.skills.find((s) => audience.skills?.includes(s.code));
    if (!need(skill && `Parce que vous avez la compétence « ${skill.label} »`)) return undefined;
  }
  return reasons.length ? reasons : undefined;
}

/** Whole days since 1970-01-01 UTC: the rotation's step. */
export const dayNumber = (at: Date) => Math.floor(at.getTime() / 86_400_000);

// Code-point order, not the locale's: the same on every machine.
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function recommend(
  traits: JobseekerTraits,
  apps: readonly RecommendableApp[],
  options: { day: number; labels: AudienceLabels },
): Recommendation[] {
  const matched = new Map<number, Recommendation[]>();
  for (const app of apps) {
    const reasons = matchAudience(traits, app.audience, options.labels);
    if (!reasons) continue;
    const group = matched.get(reasons.length) ?? [];
    group.push({ id: app.id, reasons });
    matched.set(reasons.length, group);
  }
  return [...matched.keys()]
    .sort((a, b) => b - a)
    .flatMap((size) => {
      const group = (matched.get(size) as Recommendation[]).sort(byId);
      const shift = ((options.day % group.length) + group.length) % group.length;
      return [...group.slice(shift), ...group.slice(0, shift)];
    });
}
