// The figures page of an app (developer portal and admin console): per Paris day over the last
// FIGURE_DAYS days, consents granted in full and in part, extended, narrowed, revoked and expired;
// API reads per scope; the consents as they stand; the share of each field that jobseekers decline.
// Never one jobseeker: every count from 1 to SMALL_COUNT - 1 is shown as « moins de 5 » (a zero
// tells nothing about anyone), and so is any share computed over fewer decisions — except for a
// sandbox app, whose only users are synthetic personas. The charts are server-rendered SVG with a
// title, a description and the table they draw (WCAG 1.1.1), no JavaScript.
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { consentStates, declinedPerField, eventsPerDay, readsPerDay } from './app-figures-queries.ts';

export const FIGURE_DAYS = 30;
export const SMALL_COUNT = 5;
const HIDDEN = 'moins de 5';

interface Cell {
  /** what the table shows */
  text: string;
  /** the number the chart draws, null when hidden */
  value: number | null;
}

function lastDays(count: number, now = new Date()): string[] {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(now); // YYYY-MM-DD
  const base = Date.parse(`${today}T12:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(base - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

const shortDay = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}`;

/** A bar chart's geometry (the template only draws it). */
export function barChart(id: string, title: string, days: string[], cells: Cell[]) {
  const width = 640;
  const height = 200;
  const left = 40;
  const bottom = 24;
  const top = 12;
  const max = Math.max(1, ...cells.map((c) => c.value ?? 0));
  const step = (width - left) / days.length;
  const scale = (v: number) => ((height - bottom - top) * v) / max;
  return {
    id,
    title,
    width,
    height,
    baseline: height - bottom,
    left,
    max,
    desc: `${title}, ${days.length} derniers jours. Maximum : ${max}. Les valeurs détaillées sont dans le tableau qui suit.`,
    bars: cells.map((c, i) => {
      const h = c.value === null ? 0 : scale(c.value);
      return {
        x: Math.round(left + i * step + step * 0.15),
        y: Math.round(height - bottom - h),
        width: Math.max(1, Math.round(step * 0.7)),
        height: Math.round(h),
        hidden: c.value === null,
        label: `${shortDay(days[i] as string)} : ${c.text}`,
      };
    }),
    // One date label a week, so that they do not overlap at small widths.
    ticks: days
      .map((day, i) => ({ x: Math.round(left + i * step + step / 2), text: shortDay(day) }))
      .filter((_, i) => i % 7 === 0),
  };
}

export function createAppFigures(deps: { pool: Pool; catalog: Catalog }) {
  const { pool, catalog } = deps;

  return async function figuresOf(client: { id: string; sandbox: boolean }, now = new Date()) {
    const threshold = client.sandbox ? 1 : SMALL_COUNT;
    const cell = (n: number): Cell =>
      n > 0 && n < threshold ? { text: HIDDEN, value: null } : { text: String(n), value: n };
    const [events, declined, states, reads] = await Promise.all([
      eventsPerDay(pool, client.id, FIGURE_DAYS),
      declinedPerField(pool, client.id, FIGURE_DAYS),
      consentStates(pool, client.id),
      readsPerDay(pool, client.id, FIGURE_DAYS),
    ]);
    const days = lastDays(FIGURE_DAYS, now);
    const count = (day: string, pick: (e: (typeof events)[number]) => boolean) =>
      events.filter((e) => e.day === day && pick(e)).reduce((sum, e) => sum + e.n, 0);
    const consentRows = days.map((day) => ({
      day: shortDay(day),
      full: cell(count(day, (e) => e.kind === 'granted' && e.full)),
      partial: cell(count(day, (e) => e.kind === 'granted' && !e.full)),
      extended: cell(count(day, (e) => e.kind === 'extended')),
      narrowed: cell(count(day, (e) => e.kind === 'narrowed')),
      revoked: cell(count(day, (e) => e.kind === 'revoked')),
      expired: cell(count(day, (e) => e.kind === 'expired')),
      granted: cell(count(day, (e) => e.kind === 'granted')),
    }));
    const scopes = [...new Set(reads.map((r) => r.scope))].sort();
    const readRows = days.map((day) => {
      const ofDay = reads.filter((r) => r.day === day);
      return {
        day: shortDay(day),
        total: cell(ofDay.reduce((sum, r) => sum + r.n, 0)),
        perScope: scopes.map((s) => cell(ofDay.find((r) => r.scope === s)?.n ?? 0)),
      };
    });
    const fieldLabel = (key: string) => {
      const hit = catalog.field(key);
      return hit ? `${hit.scope.title} › ${hit.field.label}` : key;
    };
    return {
      sandbox: client.sandbox,
      days: FIGURE_DAYS,
      threshold: SMALL_COUNT,
      states: {
        active: cell(states.active),
        narrowed: cell(states.narrowed),
        revoked: cell(states.revoked),
        expired: cell(states.expired),
      },
      consentRows,
      consentChart: barChart(
        'graphique-accords',
        'Accords donnés par jour',
        days,
        consentRows.map((r) => r.granted),
      ),
      scopes: scopes.map((s) => catalog.byId.get(s)?.title ?? s),
      readRows,
      readChart: barChart(
        'graphique-lectures',
        'Lectures de l’API par jour',
        days,
        readRows.map((r) => r.total),
      ),
      declined: declined
        .filter((d) => !d.field.startsWith('openid.'))
        .map((d) => ({
          field: fieldLabel(d.field),
          shown: cell(d.shown),
          share: d.shown < threshold ? HIDDEN : `${Math.round((100 * d.declined) / d.shown)} %`,
        })),
    };
  };
}

export type AppFigures = ReturnType<typeof createAppFigures>;
