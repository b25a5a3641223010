// The kitchen display and the diner's receipt, live on both sides.
import { test, expect } from './support/test.mjs';
import AxeBuilder from '@axe-core/playwright';
import { WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';
import { openKitchen, ticketNumbers } from './support/kitchen.mjs';

const DINER_URL = (server, table = 'A12') => server.tableUrl(table, { lang: 'en' });

/** A server, a diner's phone and a kitchen tablet logged in and live. */
async function withDinerAndKitchen(browser, scenario) {
  const server = await WendanServer.start();
  const diner = await (await browser.newContext()).newPage();
  const kitchen = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  try {
    await openKitchen(kitchen, server);
    await scenario({ server, diner, kitchen });
  } finally {
    await diner.context().close();
    await kitchen.context().close();
    await server.stop();
  }
}

async function order(diner, dishes = ['Fresh beef tripe']) {
  await addDishes(diner, dishes);
  await placeOrder(diner);
}

test('an order placed in the widget appears on the kitchen display within one second', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await expect(kitchen.locator('#no-tickets')).toBeVisible();
    await diner.goto(await DINER_URL(server));
    await order(diner, ['Fresh beef tripe', 'Fresh beef tripe', 'Potato slices']);
    // The widget shows "received" once the server has stored the order.
    await expectOrderStates(diner, ['received']);
    await expect(kitchen.locator('.ticket')).toHaveCount(1, { timeout: 1000 });
    const ticket = kitchen.locator('.ticket').first();
    await expect(ticket.locator('.ticket-where')).toHaveText('Table A12');
    await expect(ticket.locator('.line')).toHaveText([/2×\s*Fresh beef tripe/, /1×\s*Potato slices/]);
    await expect(kitchen.locator('#all-day-list [data-item-id="beef-tripe"] .count-qty')).toHaveText('2');
  }));

test('bump shows Ready on the diner receipt, and undo puts it back', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await diner.goto(await DINER_URL(server));
    await order(diner);
    await expectOrderStates(diner, ['received']);
    await expect(kitchen.locator('.ticket')).toHaveCount(1);

    // A bump bar: "1" picks the first ticket, Enter bumps it.
    await kitchen.keyboard.press('1');
    await expect(kitchen.locator('.ticket').first()).toHaveClass(/selected/);
    await kitchen.keyboard.press('Enter');
    await expect(kitchen.locator('.ticket').first()).toHaveAttribute('data-status', 'ready');
    await expectOrderStates(diner, ['ready']);
    await expect(diner.locator('.order-ready-banner')).toHaveText('Your order is ready — please collect it!');
    await expect(diner.locator('.status-line')).toContainText('#1 Ready');

    await kitchen.keyboard.press('u');
    await expect(kitchen.locator('.ticket').first()).toHaveAttribute('data-status', 'preparing');
    await expectOrderStates(diner, ['preparing']);
    await expect(diner.locator('.order-ready-banner')).toHaveCount(0);
    await expect(diner.locator('.status-line')).toContainText('#1 Preparing');
  }));

test('the display reconnects after a server restart and shows each open ticket exactly once', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await diner.goto(await DINER_URL(server));
    await order(diner);
    await order(diner, ['Potato slices']);
    await expectOrderStates(diner, ['received', 'received']);
    await expect.poll(() => ticketNumbers(kitchen)).toEqual([1, 2]);

    await server.stop();
    await expect(kitchen.locator('#connection')).toHaveAttribute('data-state', 'lost');
    await expect(kitchen.locator('#connection')).toHaveText('Connection lost — reconnecting');

    await server.restart();
    // An order arrives before the display is back: the resync brings it.
    await order(diner, ['Fresh beef tripe']);
    await expect(kitchen.locator('#connection')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
    await expect.poll(() => ticketNumbers(kitchen), { timeout: 15_000 }).toEqual([1, 2, 3]);
    const ids = await kitchen.locator('.ticket').evaluateAll((tickets) => tickets.map((t) => t.dataset.orderId));
    expect(new Set(ids).size).toBe(3);
    expect(ids.sort()).toEqual((await server.openOrders()).map((o) => o.id).sort());
  }));

test('a later order from the same table is marked as an add-on', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await diner.goto(await DINER_URL(server, 'A12'));
    await order(diner);
    await expectOrderStates(diner, ['received']);
    const other = await diner.context().newPage();
    await other.goto(await DINER_URL(server, 'B3'));
    await order(other, ['Potato slices']);
    await expect.poll(() => ticketNumbers(kitchen)).toEqual([1, 2]);
    await order(diner, ['Potato slices']);
    await expect.poll(() => ticketNumbers(kitchen)).toEqual([1, 2, 3]);
    const addOns = kitchen.locator('.ticket .add-on');
    await expect(addOns).toHaveCount(1);
    await expect(kitchen.locator('.ticket[data-number="3"] .add-on')).toHaveText('ADD-ON → #1');
  }));

test('pausing intake makes the widget show the restaurant message', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await kitchen.getByRole('button', { name: 'Pause orders' }).click();
    await kitchen.locator('#pause-message').fill('Kitchen is swamped: back in 10 minutes');
    await kitchen.locator('#pause-form button[type=submit]').click();
    await expect(kitchen.locator('#paused-banner')).toContainText('Kitchen is swamped: back in 10 minutes');

    await diner.goto(await DINER_URL(server));
    await order(diner);
    await expectOrderStates(diner, ['rejected']);
    await expect(diner.locator('.order-reason')).toContainText('Kitchen is swamped: back in 10 minutes');

    await kitchen.getByRole('button', { name: 'Resume orders' }).click();
    await expect(kitchen.locator('#paused-banner')).toBeHidden();
  }));

for (const lang of ['en', 'zh-CN', 'zh-TW']) {
  test(`the kitchen display is accessible (${lang})`, async ({ browser }) =>
    withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
      await diner.goto(await DINER_URL(server));
      await order(diner);
      await order(diner, ['Potato slices']);
      await expect.poll(() => ticketNumbers(kitchen)).toEqual([1, 2]);
      await kitchen.goto(`${server.url}/kitchen?lang=${lang}`);
      await expect(kitchen.locator('html')).toHaveAttribute('lang', lang);
      await expect(kitchen.locator('.ticket')).toHaveCount(2);
      await kitchen.locator('.ticket').first().getByRole('button', { name: lang === 'en' ? 'Bump' : '出餐', exact: true }).click();
      await expect(kitchen.locator('.ticket').first()).toHaveAttribute('data-status', 'ready');
      const results = await new AxeBuilder({ page: kitchen }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
      const serious = results.violations
        .filter((violation) => ['serious', 'critical'].includes(violation.impact))
        .map((violation) => `${violation.id} (${violation.impact}) ${violation.nodes.map((n) => n.target).join(', ')}`);
      expect(serious).toEqual([]);
    }));
}

test('a browser that has the widget installed still opens the kitchen display', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  try {
    const page = await context.newPage();
    await page.goto(await DINER_URL(server));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await openKitchen(page, server);
    await expect(page.locator('#no-tickets')).toBeVisible();
  } finally {
    await context.close();
    await server.stop();
  }
});

test('the diner is notified when the order is ready, only after asking for it', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner }) => {
    // A stand-in for the browser's Notification API that records its use.
    await diner.context().addInitScript(() => {
      window.__asked = 0;
      window.__shown = [];
      window.Notification = class {
        static permission = 'default';
        static requestPermission() {
          window.__asked += 1;
          window.Notification.permission = 'granted';
          return Promise.resolve('granted');
        }
        constructor(title, options) { window.__shown.push({ title, body: options?.body }); }
      };
    });
    await diner.goto(await DINER_URL(server));
    await order(diner);
    await expectOrderStates(diner, ['received']);
    const notifyMe = diner.getByRole('button', { name: 'Notify me when it is ready' });
    await expect(notifyMe).toBeVisible();
    expect(await diner.evaluate(() => window.__asked)).toBe(0);
    await notifyMe.click();
    await expect(notifyMe).toBeHidden();
    expect(await diner.evaluate(() => window.__asked)).toBe(1);

    const [placed] = await server.openOrders();
    await server.setStatus(placed.id, 'ready');
    await expectOrderStates(diner, ['ready']);
    await expect.poll(() => diner.evaluate(() => window.__shown)).toEqual([
      { title: 'Your order is ready — please collect it!', body: '#1 Ready' },
    ]);
  }));
