// WCAG 2.2 AA, as far as axe-core can tell: no serious or critical violation.
import { expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export async function expectNoSeriousViolations(page, where) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  const serious = results.violations
    .filter((violation) => ['serious', 'critical'].includes(violation.impact))
    .map((violation) => `${where}: ${violation.id} (${violation.impact}) ${violation.nodes.map((n) => n.target).join(', ')}`);
  expect(serious).toEqual([]);
}
