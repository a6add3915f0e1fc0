// « Ce que vous partagez encore »: a summary, at the top of /account/consents, of which apps hold
// which fields, each with a one-click « Ne plus partager » (the card's own narrowing form, posted with
// every other field kept). It shows every 90 days — counted from the last time the jobseeker said
// « C’est noté », or from their oldest live consent — and when a consent expires within 30 days and
// has not been reviewed since that window opened.
const DAY_MS = 86_400_000;
export const REVIEW_EVERY_DAYS = 90;
export const BEFORE_EXPIRY_DAYS = 30;

export interface LiveConsent {
  id: string;
  granted_at: Date;
  expires_at: Date;
}

export function stillSharingDue(
  live: LiveConsent[],
  lastReview: Date | undefined,
  now = Date.now(),
): { due: boolean; expiring: string[] } {
  if (!live.length) return { due: false, expiring: [] };
  const since = lastReview?.getTime() ?? Math.min(...live.map((c) => c.granted_at.getTime()));
  const expiring = live
    .filter((c) => {
      const opens = c.expires_at.getTime() - BEFORE_EXPIRY_DAYS * DAY_MS;
      return now >= opens && (!lastReview || lastReview.getTime() < opens);
    })
    .map((c) => c.id);
  return { due: now - since >= REVIEW_EVERY_DAYS * DAY_MS || expiring.length > 0, expiring };
}

interface Card {
  id: string;
  client: { name: string };
  expiresOn: string;
  scopes: { title: string; fields: { key: string; label: string; travellers: string[] }[] }[];
}

/** The summary's view: per app, each field with the fields to keep when it alone is taken back. */
export function stillSharingView(cards: Card[], expiring: string[]) {
  return cards.map((card) => {
    const keys = card.scopes.flatMap((s) => s.fields.map((f) => f.key));
    return {
      id: card.id,
      name: card.client.name,
      expiresOn: card.expiresOn,
      expiring: expiring.includes(card.id),
      fields: card.scopes.flatMap((s) =>
        s.fields.map((f) => ({
          label: f.travellers.length
            ? `${f.label} (avec : ${f.travellers.join(', ').toLowerCase()})`
            : f.label,
          scope: s.title,
          keep: keys.filter((k) => k !== f.key),
        })),
      ),
    };
  });
}
