// WCAG 2.2 AA, as far as axe-core can tell: no serious or critical
// violation on the menu, the cart, the review step and the receipt.
import { test, expect } from './support/test.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';
import { WendanServer } from './support/server.mjs';
import { addDishes, expectOrderStates } from './support/widget.mjs';

let server;
test.beforeAll(async () => { server = await WendanServer.start(); });
test.afterAll(async () => { await server?.stop(); });

for (const lang of ['en', 'zh-CN', 'zh-TW']) {
  test(`menu, cart, review and receipt are accessible (${lang})`, async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(await server.tableUrl('A12', { lang }));
    await expect(page.locator('[data-item-id="potato-slices"] button')).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expectNoSeriousViolations(page, 'menu');

    await page.locator('[data-item-id="potato-slices"] button').click();
    await page.locator('.cart-button').click();
    await expectNoSeriousViolations(page, 'cart');
    await page.locator('dialog[open] .primary').click();
    await expectNoSeriousViolations(page, 'review');
    await page.locator('dialog[open] .primary').click();
    await expectOrderStates(page, ['received']);
    await expectNoSeriousViolations(page, 'receipt');
  });
}
