// Mini-program web-views: no service worker, the page delivers by itself;
// order events also reach the mini-program through the WeChat JSSDK when it
// is there, and nothing breaks when it is not.
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';

const registrations = (page) => page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length);

test('web-view mode delivers an order placed offline once the network is back, with no service worker', async ({ browser }) => {
  const server = await WendanServer.start();
  // Workers allowed: the widget itself must not register one.
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const page = await context.newPage();
  try {
    await page.goto(await server.tableUrl('A12', { lang: 'en', mode: 'webview' }));
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();

    await context.setOffline(true);
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['saved']);
    expect(await server.openOrders()).toHaveLength(0);

    await context.setOffline(false);
    await expectOrderStates(page, ['received']);
    expect(await server.openOrders()).toHaveLength(1);
    expect(await registrations(page)).toBe(0);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('inside a WeChat mini-program (by its user agent) the JSSDK is loaded and hears the order', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext({
    serviceWorkers: 'allow',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN miniProgram/wx0123456789',
  });
  // A stand-in for jweixin-1.6.0.js, served from its real address.
  await context.route('https://res.wx.qq.com/**', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: 'window.wxMessages = []; window.wx = { miniProgram: { postMessage: function (m) { window.wxMessages.push(m.data); } } };',
  }));
  const page = await context.newPage();
  try {
    await page.goto(await server.tableUrl('A12', { lang: 'en' }));
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']);
    await expect.poll(() => page.evaluate(() => (window.wxMessages ?? []).map((m) => m.type)))
      .toEqual(expect.arrayContaining(['wendan:order-placed', 'wendan:order-status']));
    expect(await registrations(page)).toBe(0);
  } finally {
    await context.close();
    await server.stop();
  }
});
