// A declared audience in words, for the app's page in the catalog and for the admin who vets it.
import type { Audience } from './audience.ts';
import type { AudienceLabels } from './recommend.ts';

export function describeAudience(audience: Audience | null | undefined, labels: AudienceLabels): string[] {
  if (!audience) return [];
  const names = (values: string[] | undefined, map: Record<string, string>) =>
    (values ?? []).map((v) => map[v] ?? v).join(' ; ');
  return [
    audience.rome && `Métiers recherchés (codes ROME commençant par) : ${audience.rome.join(', ')}`,
    audience.regions && `Région de recherche : ${names(audience.regions, labels.regions.labels)}`,
    audience.statuses && `Situation : ${names(audience.statuses, labels.statuses.labels)}`,
    audience.training_levels &&
      `Plus haut diplôme : ${names(audience.training_levels, labels.trainingLevels.labels)}`,
    audience.contract_types &&
      `Types de contrat acceptés : ${names(audience.contract_types, labels.contractTypes.labels)}`,
    audience.available_now && 'Disponible tout de suite',
    audience.skills && `Compétences (codes) : ${audience.skills.join(', ')}`,
  ].filter((line): line is string => Boolean(line));
}
