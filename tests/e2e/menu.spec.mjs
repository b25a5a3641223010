// A diner opens the widget and sees the restaurant's menu.
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';

let server;
test.beforeAll(async () => { server = await WendanServer.start(); });
test.afterAll(async () => { await server?.stop(); });

test('the widget loads the demo menu from the server, in English with ?lang=en', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/?lang=en`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Shu Xiang Hotpot');
  await expect(page.getByText('Beef tripe', { exact: false }).first()).toBeVisible();
  await expect(page.locator('[data-item-id="potato-slices"]')).toContainText('¥10.00');
  expect(errors).toEqual([]);
});

test('the same menu reads in Chinese for a zh-CN browser', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(server.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('蜀香火锅');
  await expect(page.getByText('毛肚').first()).toBeVisible();
  await context.close();
});
