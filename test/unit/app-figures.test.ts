// The figures' chart geometry: one bar per day within the drawing, proportional to its value, a
// hidden count drawn as no bar (its table cell says « moins de 5 »), and a date label a week.
import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/developers/app-figures.ts';

const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);

describe('barChart', () => {
  it('draws each day in proportion, hidden ones without a bar, inside the drawing', () => {
    const cells = days.map((_, i) =>
      i === 3 ? { text: 'moins de 5', value: null } : { text: String(i * 2), value: i * 2 },
    );
    const chart = barChart('c', 'Accords donnés par jour', days, cells);
    expect(chart.bars).toHaveLength(30);
    expect(chart.max).toBe(58);
    const tallest = chart.bars[29] as (typeof chart.bars)[number];
    expect(tallest.y).toBe(12); // the top margin
    expect(tallest.y + tallest.height).toBe(chart.baseline);
    const half = chart.bars[14] as (typeof chart.bars)[number];
    expect(Math.abs(half.height - tallest.height * (28 / 58))).toBeLessThanOrEqual(1);
    expect(chart.bars[3]).toMatchObject({ hidden: true, height: 0, label: '04/11 : moins de 5' });
    for (const bar of chart.bars) {
      expect(bar.x).toBeGreaterThanOrEqual(chart.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(chart.width);
    }
    expect(chart.ticks.map((t) => t.text)).toEqual(['01/11', '08/11', '15/11', '22/11', '29/11']);
    expect(chart.desc).toContain('Maximum : 58');
  });

  it('keeps a flat chart drawable when every day is zero', () => {
    const chart = barChart(
      'c',
      'Lectures',
      days,
      days.map(() => ({ text: '0', value: 0 })),
    );
    expect(chart.max).toBe(1);
    expect(chart.bars.every((b) => b.height === 0 && !b.hidden)).toBe(true);
  });
});
