// A diner opens the widget and sees the restaurant's menu.
import { test, expect } from './support/test.mjs';
import { ADMIN_TOKEN, WendanServer } from './support/server.mjs';

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

test('each visit asks for the menu once, and a repeat visit is revalidated by ETag (304)', async ({ browser }) => {
  // No service worker: the browser's HTTP cache alone, as in a mini-program web-view.
  const own = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    const menuRequests = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/v1/menu') menuRequests.push(request);
    });
    const add = page.getByRole('button', { name: 'Add Potato slices', exact: true });
    await page.goto(await own.tableUrl('A1', { lang: 'en' }));
    await add.waitFor();
    await page.reload();
    await add.waitFor();
    await page.waitForTimeout(300);
    // index.html's preload is the widget's own request: one per visit, not two.
    expect(menuRequests).toHaveLength(2);
    const metrics = await (await fetch(`${own.url}/metrics`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    })).text();
    const served = (status) => Number(
      metrics.match(new RegExp(`_count\\{method="GET",route="/api/v1/menu",status="${status}"\\} (\\d+)`))?.[1] ?? 0,
    );
    expect(served(200)).toBe(1);
    expect(served(304)).toBe(1);
  } finally {
    await context.close();
    await own.stop();
  }
});
