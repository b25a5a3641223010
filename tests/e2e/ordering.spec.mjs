// A diner orders on a patchy network: nothing is lost, nothing is doubled.
import { test, expect } from './support/test.mjs';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates, orderStates } from './support/widget.mjs';

const TABLE_URL = (server) => server.tableUrl('A12', { lang: 'en' });

/**
 * A server and one page without the service worker, which would deliver past
 * the page's blocked routes (its own scenarios are in service-worker.spec.mjs).
 */
async function withPageAlone(browser, run) {
  const server = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    await run({ server, page: await context.newPage() });
  } finally {
    await context.close();
    await server.stop();
  }
}

test('an order is saved at once, delivered, and shows its number', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(await TABLE_URL(server));
    await addDishes(page, ['Fresh beef tripe', 'Fresh beef tripe', 'Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']);
    await expect(page.locator('[data-order-key] .order-number')).toHaveText('#1');
    const orders = await server.openOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0].table).toBe('A12');
    expect(orders[0].total_minor).toBe(2 * 3800 + 1000);
  } finally {
    await server.stop();
  }
});

test('a double tap on Place order makes one order', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(await TABLE_URL(server));
    await addDishes(page, ['Potato slices']);
    await page.getByRole('button', { name: 'Cart' }).click();
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.getByRole('button', { name: 'Place order' }).dblclick();
    await expectOrderStates(page, ['received']);
    await page.waitForTimeout(500);
    expect(await server.openOrders()).toHaveLength(1);
    expect(await orderStates(page)).toEqual(['received']);
  } finally {
    await server.stop();
  }
});

test('an order placed with the server down survives a reload and is delivered once when it is back', async ({ browser }) =>
  withPageAlone(browser, async ({ server, page }) => {
    await page.goto(await TABLE_URL(server));
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
    await server.stop();

    await addDishes(page, ['Potato slices', 'Fresh beef tripe']);
    await placeOrder(page);
    await expectOrderStates(page, ['saved']);
    await expect(page.locator('.status-line')).toContainText('1 order waiting to send');

    // Reload while orders still cannot get through (the page itself needs
    // the server until the service worker caches the app shell).
    const key = await page.locator('[data-order-key]').getAttribute('data-order-key');
    await page.route('**/api/v1/orders', (route) => route.abort('internetdisconnected'));
    await server.restart();
    await page.reload();
    await expect(page.locator(`[data-order-key="${key}"]`)).toHaveAttribute('data-state', 'saved');
    expect(await server.openOrders()).toHaveLength(0);

    // The network is back.
    await page.unroute('**/api/v1/orders');
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expectOrderStates(page, ['received']);
    const orders = await server.openOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0].total_minor).toBe(1000 + 3800);
  }));

test('a 503 with Retry-After is respected before the next try', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    const attempts = [];
    await page.route('**/api/v1/orders', async (route) => {
      attempts.push(Date.now());
      if (attempts.length === 1) {
        await route.fulfill({
          status: 503,
          headers: { 'Retry-After': '3', 'Content-Type': 'application/problem+json' },
          body: JSON.stringify({ type: '/problems/overloaded', title: 'busy', status: 503 }),
        });
      } else {
        await route.continue();
      }
    });
    await page.goto(await TABLE_URL(server));
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received'], 20_000);
    expect(attempts.length).toBe(2);
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(3000);
    expect(await server.openOrders()).toHaveLength(1);
  } finally {
    await server.stop();
  }
});

test('a page closed in the middle of a send delivers once after reopening', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // The first send reaches the server (which commits it) but its answer
    // never reaches the phone before the tab is closed.
    let committed;
    const sent = new Promise((resolve) => { committed = resolve; });
    await page.route('**/api/v1/orders', async (route) => {
      const response = await route.fetch();
      committed(response.status());
      await new Promise(() => {}); // the answer is lost
    });
    await page.goto(await TABLE_URL(server));
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    expect(await sent).toBe(201);
    await page.close();

    const again = await context.newPage();
    await again.goto(await TABLE_URL(server));
    await expectOrderStates(again, ['received'], 20_000);
    expect(await server.openOrders()).toHaveLength(1);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('two tabs share one truth, and the second tab cannot order the same cart again', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    const second = await context.newPage();
    await first.goto(await TABLE_URL(server));
    await second.goto(await TABLE_URL(server));
    await addDishes(first, ['Potato slices']);
    // The second tab sees the cart the first tab filled.
    await expect(second.locator('.badge')).toHaveText('1');
    await second.getByRole('button', { name: 'Cart' }).click();
    await second.getByRole('button', { name: 'Checkout' }).click();

    await placeOrder(first);
    await expectOrderStates(first, ['received']);
    await expectOrderStates(second, ['received']);
    // The second tab already knows its cart was ordered: nothing to place.
    // (A tap that raced the message is refused by the store: tests/store.rs.)
    await expect(second.getByRole('button', { name: 'Place order' })).toBeDisabled();
    await expect(second.locator('.badge')).toHaveText('0');
    expect(await server.openOrders()).toHaveLength(1);
    expect(await orderStates(second)).toEqual(['received']);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('changed prices: the order says so, with the new total, and nothing is made', async ({ page }) => {
  const server = await WendanServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'wendan-menu-'));
  try {
    await page.goto(await TABLE_URL(server));
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
    await server.stop();
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['saved']);

    // The restaurant raises a price while the order waits on the phone.
    const demo = JSON.parse(readFileSync('server/menus/demo-hotpot.json', 'utf8'));
    demo.items.find((item) => item.id === 'potato-slices').price_minor = 1200;
    const menuPath = join(dir, 'menu.json');
    writeFileSync(menuPath, JSON.stringify(demo));
    server.extraArgs = ['--menu', menuPath];
    await server.restart();
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expectOrderStates(page, ['price_changed'], 20_000);
    await expect(page.locator('[data-order-key]')).toContainText('Prices have changed');
    await expect(page.locator('[data-order-key]')).toContainText('¥12.00');
    expect(await server.openOrders()).toHaveLength(0);

    // The diner confirms the new total: a new order, with a new key.
    const oldKey = await page.locator('[data-order-key]').getAttribute('data-order-key');
    await page.getByRole('button', { name: 'Confirm the new total' }).click();
    await expect(page.locator('dialog[open] .total')).toContainText('¥12.00');
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.getByRole('button', { name: 'Place order' }).click();
    await expectOrderStates(page, ['received', 'price_changed']);
    const newKey = await page.locator('[data-order-key]').first().getAttribute('data-order-key');
    expect(newKey).not.toBe(oldKey);
    const orders = await server.openOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0].total_minor).toBe(1200);
  } finally {
    await server.stop();
  }
});

test('an order older than the menu allows is never sent: it expires', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.clock.install();
    await page.goto(await TABLE_URL(server));
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
    await server.stop();
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['saved']);

    // 46 minutes pass on the phone (the demo menu allows 45), then the
    // network comes back.
    await page.clock.fastForward('46:00');
    await server.restart();
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expectOrderStates(page, ['expired'], 20_000);
    await expect(page.locator('[data-order-key]')).toContainText('Expired');
    expect(await server.openOrders()).toHaveLength(0);
  } finally {
    await server.stop();
  }
});

test('a refusal shows the restaurant\'s reason in the diner\'s language', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'wendan-menu-'));
  const demo = JSON.parse(readFileSync('server/menus/demo-hotpot.json', 'utf8'));
  // Open for one minute, twelve hours from now: closed whenever the test runs.
  const beijingHour = (new Date().getUTCHours() + 8 + 12) % 24;
  const at = String(beijingHour).padStart(2, '0');
  demo.opening_hours.periods = [{ open: `${at}:00`, close: `${at}:01` }];
  const menuPath = join(dir, 'closed.json');
  writeFileSync(menuPath, JSON.stringify(demo));
  const server = await WendanServer.start({ extraArgs: ['--menu', menuPath] });
  try {
    await server.putTable('A12');
    await page.goto(await server.tableUrl('A12', { lang: 'zh-CN' }));
    await page.getByRole('button', { name: '加入 土豆片', exact: true }).click();
    await page.getByRole('button', { name: '购物车' }).click();
    await page.getByRole('button', { name: '去结算' }).click();
    await page.getByRole('button', { name: '下单' }).click();
    await expectOrderStates(page, ['rejected']);
    await expect(page.locator('[data-order-key]')).toContainText('餐厅暂不接单');
  } finally {
    await server.stop();
  }
});

test('the receipt follows the kitchen live: preparing, then ready', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(await TABLE_URL(server));
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']);
    const [order] = await server.openOrders();
    await server.setStatus(order.id, 'preparing');
    await expectOrderStates(page, ['preparing'], 5_000);
    await server.setStatus(order.id, 'ready');
    await expectOrderStates(page, ['ready'], 5_000);
    await expect(page.locator('[data-order-key] .order-state')).toHaveText('Ready');
  } finally {
    await server.stop();
  }
});

test('when the path to the server comes back, every waiting order goes at once, not each on its own wait', async ({ browser }) =>
  withPageAlone(browser, async ({ server, page }) => {
    await page.goto(await TABLE_URL(server));
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
    // "Online" all along: a dead access point, no `online` event.
    await page.route('**/api/v1/orders', (route) => route.abort('connectionrefused'));
    for (let n = 0; n < 4; n += 1) {
      await addDishes(page, ['Potato slices']);
      await placeOrder(page);
    }
    await expectOrderStates(page, ['saved', 'saved', 'saved', 'saved']);
    // Long enough for a few failed tries each: their random waits spread out.
    await page.waitForTimeout(7_000);
    await page.unroute('**/api/v1/orders');

    const count = async () => (await server.openOrders()).length;
    await expect.poll(count, { timeout: 60_000, intervals: [100] }).toBeGreaterThan(0);
    const first = Date.now();
    await expect.poll(count, { timeout: 60_000, intervals: [100] }).toBe(4);
    // The first success proved the path: the others followed in its run.
    expect(Date.now() - first).toBeLessThan(2_000);
    await expectOrderStates(page, ['received', 'received', 'received', 'received']);
  }));

test('a live status stream that reconnects sends at once the orders waiting out a network failure', async ({ browser }) =>
  withPageAlone(browser, async ({ server, page }) => {
    await page.goto(await TABLE_URL(server));
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']); // followed live from now on
    await server.stop();
    await addDishes(page, ['Fresh beef tripe']);
    await placeOrder(page);
    await expectOrderStates(page, ['saved', 'received']);
    // Long enough for the new order's own wait to grow to up to half a minute.
    await page.waitForTimeout(25_000);
    await server.restart();
    const back = Date.now();
    await expectOrderStates(page, ['received', 'received'], 60_000);
    // The stream reconnects within the browser's 3 s and the order follows.
    const waited = Date.now() - back;
    console.log(`the waiting order arrived ${waited} ms after the server was back`);
    expect(waited).toBeLessThan(5_000);
  }));
