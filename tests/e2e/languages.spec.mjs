// Every screen in every language the product has, from one dictionary per
// language: the browser's languages choose (zh-HK reads Traditional
// Chinese), a picker lists each language in itself, and the choice stays.
import { test, expect } from './support/test.mjs';
import { ADMIN_TOKEN, KITCHEN_TOKEN, WendanServer, freePort } from './support/server.mjs';
import { HostSite } from './support/host-site.mjs';
import { addDishes, placeOrder } from './support/widget.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';

const NAMES = ['简体中文', '繁體中文', 'English'];

let server;
test.beforeAll(async () => { server = await WendanServer.start(); });
test.afterAll(async () => { await server?.stop(); });

test('a Hong Kong phone reads the widget in Traditional Chinese, and the picker switches and remembers', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-HK' });
  try {
    const page = await context.newPage();
    await page.goto(await server.tableUrl('A12'));
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-TW');
    await expect(page.getByRole('button', { name: '加入 土豆片', exact: true })).toBeVisible();
    const picker = page.getByRole('combobox', { name: '語言' });
    await expect(picker.locator('option')).toHaveText(NAMES);
    await expect(picker).toHaveValue('zh-TW');

    await picker.selectOption('en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('button', { name: 'Add Potato slices', exact: true })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('combobox', { name: 'Language' })).toHaveValue('en');
    await expect(page.getByRole('button', { name: 'Add Potato slices', exact: true })).toBeVisible();
  } finally {
    await context.close();
  }
});

test('the widget counts waiting orders in each language\'s plural forms', async ({ browser }) => {
  // The sentence is the dictionary's, its form the browser's Intl.PluralRules.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await page.route('**/api/v1/orders', (route) => route.abort('internetdisconnected'));
    await page.goto(await server.tableUrl('A12', { lang: 'en' }));
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expect(page.locator('.status-line')).toContainText('1 order waiting to send');
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expect(page.locator('.status-line')).toContainText('2 orders waiting to send');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-TW');
    await expect(page.locator('.status-line')).toContainText('2 筆訂單等待送出');
  } finally {
    await context.close();
  }
});

test('the kitchen display follows the browser, lists every language, and keeps the cook\'s choice', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-TW' });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/kitchen#token=${KITCHEN_TOKEN}`);
    await expect(page.locator('#connection')).toHaveAttribute('data-state', 'live');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-TW');
    await expect(page.locator('h1')).toHaveText('廚房');
    const picker = page.getByRole('combobox', { name: '語言' });
    await expect(picker.locator('option')).toHaveText(NAMES);

    await picker.selectOption('en');
    await expect(page.locator('h1')).toHaveText('Kitchen');
    await expect(page.getByRole('button', { name: 'Pause orders' })).toBeVisible();
    await page.reload();
    await expect(page.locator('h1')).toHaveText('Kitchen');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  } finally {
    await context.close();
  }
});

test('the admin pages offer every language by its own name', async ({ page }) => {
  await page.goto(`${server.url}/admin/tables?token=${ADMIN_TOKEN}&lang=zh-TW`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-TW');
  await expect(page.getByRole('link', { name: '尖峰看板' })).toBeVisible();
  const languages = page.getByRole('navigation', { name: '語言' }).getByRole('link');
  await expect(languages).toHaveText(NAMES);
  await expect(languages.nth(1)).toHaveAttribute('aria-current', 'true');
  await languages.nth(2).click();
  await expect(page).toHaveURL(`${server.url}/admin/tables?lang=en`);
  await expect(page.getByRole('link', { name: 'Peak-hour dashboard' })).toBeVisible();
});

for (const [lang, label, close] of [['zh-HK', '點餐', '關閉'], ['zh-CN', '点餐', '关闭'], ['en-GB', 'Order', 'Close'], ['fr', 'Order', 'Close']]) {
  test(`the loader on a restaurant's page speaks its language (${lang})`, async ({ page }) => {
    const hostPort = await freePort();
    const widget = await WendanServer.start({ extraArgs: ['--frame-ancestors', `http://127.0.0.1:${hostPort}`] });
    const site = await HostSite.start({ widgetUrl: widget.url, port: hostPort, attributes: { table: 'A12', lang } });
    try {
      await page.goto(site.url);
      await page.getByRole('button', { name: label, exact: true }).click();
      await expect(page.getByRole('button', { name: close, exact: true })).toBeVisible();
      await expectNoSeriousViolations(page, `loader (${lang})`);
    } finally {
      await site.stop();
      await widget.stop();
    }
  });
}
