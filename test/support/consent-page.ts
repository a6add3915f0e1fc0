// Choices on the consent page in a real browser: each field sits in its scope's block, behind the
// « Choisir donnée par donnée » disclosure, which is opened first.
import type { Page } from 'playwright-core';

/** Ticks fields by their label, scope by scope: { competences: ['Nom de la compétence'] }. */
export async function tickFields(page: Page, labelsByScope: Record<string, string[]>): Promise<void> {
  for (const [scope, labels] of Object.entries(labelsByScope)) {
    const block = page.locator(`#bloc-${scope}`);
    const details = block.locator('details');
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open)))
      await block.locator('summary').click();
    for (const label of labels) await block.getByLabel(label, { exact: true }).check();
  }
}
