// Durations from the configuration, written as a person says them: 365 → « 1 an », 396 → « 13 mois »,
// 30 → « 30 jours », 12 hours → « 12 heures ». Used wherever a page states a retention period, so the
// page says what the configuration does.
const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

export function describeDays(days: number): string {
  if (days % 365 === 0) return plural(days / 365, 'an', 'ans');
  const months = Math.round(days / 30.44);
  if (days >= 60 && Math.abs(months * 30.44 - days) <= 2) return plural(months, 'mois', 'mois');
  return plural(days, 'jour', 'jours');
}

export function describeHours(hours: number): string {
  return hours % 24 === 0 ? describeDays(hours / 24) : plural(hours, 'heure', 'heures');
}
