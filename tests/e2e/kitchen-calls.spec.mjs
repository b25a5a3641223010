// The tables' calls on the kitchen display (催单, 呼叫服务员): each open call
// once, with its table, what it asks for and how long ago; "Done" answers
// it, clearing the table answers its calls; a new call sounds once and is
// said in a live region.
import { randomUUID } from 'node:crypto';
import { test, expect } from './support/test.mjs';
import { WendanServer, KITCHEN_TOKEN } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';
import { openKitchen } from './support/kitchen.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';

/**
 * A server, a diner's phone and a kitchen tablet logged in and live. The
 * tablet counts the display's tones (its two-note chime starts at 880 Hz)
 * in `window.tones`, without changing the page.
 */
async function withDinerAndKitchen(browser, scenario, lang = 'en') {
  const server = await WendanServer.start();
  const diner = await (await browser.newContext()).newPage();
  const kitchenContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await kitchenContext.addInitScript(() => {
    window.tones = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function countTone(...args) {
      if (this.frequency.value === 880) window.tones += 1;
      return start.apply(this, args);
    };
  });
  const kitchen = await kitchenContext.newPage();
  try {
    await openKitchen(kitchen, server, lang);
    await scenario({ server, diner, kitchen });
  } finally {
    await diner.context().close();
    await kitchenContext.close();
    await server.stop();
  }
}

/**
 * A diner's call from table `table`, as the phone sends it: the table's code
 * from its QR link and an Idempotency-Key (a new one per press unless given).
 */
async function call(server, table, reason, { key = randomUUID(), orderId, device = 'phone-1' } = {}) {
  const code = new URL(await server.tableUrl(table)).searchParams.get('code');
  const response = await fetch(`${server.url}/api/v1/tables/${encodeURIComponent(table)}/calls`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `"${key}"` },
    body: JSON.stringify({ reason, code, device_id: device, ...(orderId ? { order_id: orderId } : {}) }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

/** A diner at `table` orders through the widget; answers the order as the kitchen sees it. */
async function orderAt(server, diner, table) {
  await diner.goto(await server.tableUrl(table, { lang: 'en' }));
  await addDishes(diner, ['Fresh beef tripe']);
  await placeOrder(diner);
  await expectOrderStates(diner, ['received']);
  const orders = (await server.openOrders()).filter((order) => order.table === table);
  expect(orders).toHaveLength(1);
  return orders[0];
}

/** The open calls as the server's board lists them (the truth the page draws). */
async function boardCalls(server) {
  const response = await fetch(`${server.url}/api/v1/kitchen/board`, {
    headers: { Authorization: `Bearer ${KITCHEN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()).calls;
}

const calls = (kitchen) => kitchen.locator('#call-list .call');
const tones = (kitchen) => kitchen.evaluate(() => window.tones);

test('a call pressed five times shows once with its word; Done answers it, for good', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, kitchen }) => {
    await expect(kitchen.locator('#calls')).toBeHidden();
    // Five presses with new keys, then two retries of the first key, from two phones.
    const first = await call(server, 'A1', 'water', { key: 'e2e-water-press-1' });
    for (let press = 2; press <= 5; press += 1) {
      expect((await call(server, 'A1', 'water', { device: `phone-${press % 2 + 1}` })).id).toBe(first.id);
    }
    expect((await call(server, 'A1', 'water', { key: 'e2e-water-press-1' })).id).toBe(first.id);

    const water = calls(kitchen);
    await expect(water).toHaveCount(1);
    await expect(kitchen.locator('#calls')).toBeVisible();
    await expect(kitchen.getByRole('heading', { name: 'Calls' })).toBeVisible();
    await expect(water).toHaveAttribute('data-call-id', first.id);
    await expect(water.locator('.call-table')).toHaveText('Table A1');
    await expect(water.locator('.call-what')).toHaveText('Water');
    await expect(water.locator('.call-age')).toHaveText(/^0\s*min$/);
    await expect(water.locator('.call-age')).toHaveAttribute('datetime', first.called_at);
    await expect(kitchen.locator('#calls-announce')).toHaveText('Calls: Table A1, Water');
    await expect(kitchen.locator('#calls-announce')).toHaveAttribute('role', 'status');
    // Still once after the board is read again (another event, a reload).
    await kitchen.reload();
    await expect(kitchen.locator('#connection')).toHaveAttribute('data-state', 'live');
    await expect(calls(kitchen)).toHaveCount(1);

    // Pressed twice in a hurry: one clear goes to the server.
    const clears = [];
    kitchen.on('request', (request) => { if (request.url().includes('/api/v1/kitchen/calls/')) clears.push(request.url()); });
    await calls(kitchen).getByRole('button', { name: 'Done' }).dblclick();
    await expect(calls(kitchen)).toHaveCount(0);
    await expect(kitchen.locator('#calls')).toBeHidden();
    expect(clears).toEqual([`${server.url}/api/v1/kitchen/calls/${first.id}/clear`]);
    expect(await boardCalls(server)).toEqual([]);

    await kitchen.reload();
    await expect(kitchen.locator('#connection')).toHaveAttribute('data-state', 'live');
    await expect(kitchen.locator('#calls')).toBeHidden();
    await expect(calls(kitchen)).toHaveCount(0);
  }));

test('a hurry names the order by its number; calls show oldest first', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    const order = await orderAt(server, diner, 'A1');
    await call(server, 'A1', 'bill');
    await expect(calls(kitchen)).toHaveCount(1);
    const hurry = await call(server, 'A1', 'hurry', { orderId: order.id });
    expect(hurry.order_number).toBe(order.number);
    await expect(calls(kitchen)).toHaveCount(2);
    await expect(calls(kitchen).locator('.call-what')).toHaveText(['Bill', `Hurry #${order.number}`]);
    await expect(calls(kitchen).nth(1)).toHaveAttribute('data-reason', 'hurry');
    await expect(kitchen.locator('#calls-announce')).toHaveText(`Calls: Table A1, Hurry #${order.number}`);
  }));

test('a call\'s age counts whole minutes by the server\'s clock, not the tablet\'s', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, kitchen }) => {
    // The server's clock an hour ahead of the tablet's, the call made 3 min 5 s before the board was read.
    await kitchen.route('**/api/v1/kitchen/board', async (route) => {
      const board = await (await route.fetch()).json();
      const serverTime = Date.parse(board.server_time) + 3_600_000;
      board.server_time = new Date(serverTime).toISOString();
      for (const open of board.calls) open.called_at = new Date(serverTime - 185_000).toISOString();
      await route.fulfill({ json: board });
    });
    await call(server, 'A1', 'broth');
    await expect(calls(kitchen).locator('.call-what')).toHaveText('Broth');
    await expect(calls(kitchen).locator('.call-age')).toHaveText(/^3\s*min$/);
  }));

test('clearing the table answers its calls, and only its', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, kitchen }) => {
    await call(server, 'A1', 'water');
    await call(server, 'A1', 'broth');
    await call(server, 'A2', 'other');
    await expect(calls(kitchen)).toHaveCount(3);
    await expect(kitchen.locator('#call-list .call[data-table="A1"]')).toHaveCount(2);

    const a1 = kitchen.locator('#table-list .table-bill[data-table="A1"]');
    await a1.getByRole('button', { name: 'Clear table' }).click();
    await expect(a1).toHaveCount(0);
    await expect(calls(kitchen)).toHaveCount(1);
    await expect(calls(kitchen).locator('.call-table')).toHaveText('Table A2');
    await expect(calls(kitchen).locator('.call-what')).toHaveText('Call');
    expect((await boardCalls(server)).map((open) => open.table)).toEqual(['A2']);
  }));

test('a new call sounds once, not on every board re-read, and not while muted', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, kitchen }) => {
    // Sounds are made by the page (an AudioContext), so the count works headless.
    expect(await tones(kitchen)).toBe(0);
    await call(server, 'A1', 'water');
    await expect(calls(kitchen)).toHaveCount(1);
    await expect.poll(() => tones(kitchen)).toBe(1);

    // The same call pressed again, and other board changes: no new tone.
    await call(server, 'A1', 'water');
    await kitchen.getByRole('textbox', { name: 'Table', exact: true }).fill('B2');
    await kitchen.getByRole('button', { name: 'Open a table' }).click();
    await expect(kitchen.locator('#table-list .table-bill[data-table="B2"]')).toHaveCount(1);
    await calls(kitchen).getByRole('button', { name: 'Done' }).click();
    await expect(calls(kitchen)).toHaveCount(0);
    expect(await tones(kitchen)).toBe(1);

    // A new call (even the same reason at the same table, once answered): a new tone.
    await call(server, 'A1', 'water');
    await expect(calls(kitchen)).toHaveCount(1);
    await expect.poll(() => tones(kitchen)).toBe(2);
    await call(server, 'B2', 'bill');
    await expect(calls(kitchen)).toHaveCount(2);
    await expect.poll(() => tones(kitchen)).toBe(3);

    // Muted (♪): the call shows, silently.
    await kitchen.locator('#sound').click();
    await expect(kitchen.locator('#sound')).toHaveAttribute('aria-pressed', 'false');
    await call(server, 'B2', 'broth');
    await expect(calls(kitchen)).toHaveCount(3);
    await kitchen.waitForTimeout(300);
    expect(await tones(kitchen)).toBe(3);
  }));

for (const lang of ['en', 'zh-CN']) {
  test(`the display with calls showing is accessible (${lang})`, async ({ browser }) =>
    withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
      const order = await orderAt(server, diner, 'A1');
      await call(server, 'A1', 'hurry', { orderId: order.id });
      await call(server, 'A2', 'water');
      await expect(calls(kitchen)).toHaveCount(2);
      await expect(kitchen.locator('html')).toHaveAttribute('lang', lang);
      const heading = lang === 'en' ? 'Calls' : '呼叫';
      await expect(kitchen.getByRole('heading', { name: heading, exact: true })).toBeVisible();
      await expect(calls(kitchen).locator('.call-what')).toHaveText(
        lang === 'en' ? [`Hurry #${order.number}`, 'Water'] : [`催单 #${order.number}`, '加水'],
      );
      await expect(calls(kitchen).getByRole('button')).toHaveText(lang === 'en' ? ['Done', 'Done'] : ['已处理', '已处理']);
      // A refusal shown too: every part of the section.
      await kitchen.route('**/api/v1/kitchen/calls/*/clear', (route) => route.fulfill({
        status: 500, contentType: 'application/problem+json',
        body: JSON.stringify({ type: '/problems/internal', title: 'Internal', status: 500, detail: 'storage' }),
      }));
      await calls(kitchen).last().getByRole('button').click();
      await expect(kitchen.locator('#calls-message')).not.toHaveText('');
      await expect(calls(kitchen)).toHaveCount(2);
      await expectNoSeriousViolations(kitchen, `kitchen calls (${lang})`);
    }, lang));
}
