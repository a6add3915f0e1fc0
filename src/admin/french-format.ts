// Dates as the console and the portals show them: French, in Paris time, whatever the server's zone.
export const TIME_ZONE = 'Europe/Paris';
const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeZone: TIME_ZONE });
const moment = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: TIME_ZONE,
});
export const formatDay = (d: Date) => day.format(d);
export const formatMoment = (d: Date) => moment.format(d);

/** The end of a calendar day (YYYY-MM-DD) in Paris, or undefined if it is not a real date. */
export function parisEndOfDay(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = new Date(Date.UTC(y, mo - 1, d, 23, 59, 59));
  if (utc.getUTCMonth() !== mo - 1 || utc.getUTCDate() !== d) return undefined;
  const offset =
    new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' })
      .formatToParts(utc)
      .find((p) => p.type === 'timeZoneName')
      ?.value.replace('GMT', '') || '+00:00';
  return new Date(`${value}T23:59:59${offset}`);
}

/** A TOTP secret in groups of four, easier to type into an authenticator app. */
export const groupSecret = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');
