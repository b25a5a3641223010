// One cart for the table (多人点餐, `--table-cart shared`): every phone that
// scanned the table's code sees the dishes anyone adds within a second,
// with who added them; a phone offline keeps adding, and its dishes reach
// the table when it is back; two phones pressing "Send to kitchen" together
// make one order, which every phone follows; a stale link is refused.
import { test, expect } from './support/test.mjs';
import { KITCHEN_TOKEN, WendanServer } from './support/server.mjs';
import { addDishes } from './support/widget.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';

const SHARED = { extraArgs: ['--table-cart', 'shared'] };

async function phoneAt(browser, server, table, name, lang = 'en') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(await server.tableUrl(table, { lang }));
  await expect(page.locator('#table-cart')).toBeVisible();
  const field = page.getByLabel(lang === 'en' ? 'Your name at this table' : '你在本桌的称呼');
  await field.fill(name);
  await field.press('Tab');
  return { context, page };
}

function line(page, dish) {
  return page.locator('#table-cart [data-cart-line]').filter({ hasText: dish });
}

/** How many changes the phone keeps for the table, unsent, in IndexedDB. */
/**
 * The phone's changes and presses for `table` fail as on a dead network
 * (the menu, the scan, the cart's read and its stream still work): unlike
 * an emulated offline context, this leaves no stream open behind the test's
 * back and lets the page reload.
 */
async function cutOff(context, table) {
  await context.route(new RegExp(`/api/v1/tables/${table}/cart(/rounds)?$`), (route) => route.abort('internetdisconnected'));
}

async function storedTableCart(page, table) {
  return page.evaluate((key) => new Promise((resolve, reject) => {
    const opening = indexedDB.open('wendan');
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const read = opening.result.transaction('cart').objectStore('cart').get(key);
      read.onsuccess = () => resolve(read.result ? JSON.parse(read.result.json) : null);
      read.onerror = () => reject(read.error);
    };
  }), `table:${table}`);
}

async function storedQueue(page, table) {
  const kept = await storedTableCart(page, table);
  return kept ? kept.cart.pending.length : -1;
}

async function kitchenOrders(server) {
  const response = await fetch(`${server.url}/api/v1/kitchen/orders`, {
    headers: { Authorization: `Bearer ${KITCHEN_TOKEN}` },
  });
  return response.json();
}

test('a dish one phone adds is on every phone at the table within a second, with who added it', async ({ browser }) => {
  const server = await WendanServer.start(SHARED);
  try {
    const wang = await phoneAt(browser, server, 'A2', 'Wang');
    const li = await phoneAt(browser, server, 'A2', 'Li');
    await addDishes(wang.page, ['Fresh beef tripe']);
    const seen = line(li.page, 'Fresh beef tripe');
    await expect(seen).toHaveAttribute('data-qty', '1', { timeout: 1_000 });
    await expect(seen).toHaveAttribute('data-added-by', /Wang/);
    // Both tap "+1" on the same line: both count.
    await line(li.page, 'Fresh beef tripe').getByRole('button', { name: '+1' }).click();
    await line(wang.page, 'Fresh beef tripe').getByRole('button', { name: '+1' }).click();
    await expect(line(wang.page, 'Fresh beef tripe')).toHaveAttribute('data-qty', '3');
    await expect(line(li.page, 'Fresh beef tripe')).toHaveAttribute('data-qty', '3');
    await expectNoSeriousViolations(li.page, "the table's cart");
  } finally {
    await server.stop();
  }
});

test('a phone cut off keeps adding while the others send a round; back, its dishes are in the next round and it says so', async ({ browser }) => {
  const server = await WendanServer.start(SHARED);
  try {
    const wang = await phoneAt(browser, server, 'A3', 'Wang');
    const li = await phoneAt(browser, server, 'A3', 'Li');
    await cutOff(li.context, 'A3');
    await addDishes(li.page, ['Fresh beef tripe', 'Potato slices', 'Soft tofu']);
    await expect(li.page.locator('#table-cart [data-cart-line]')).toHaveCount(3);
    await expect(li.page.locator('.table-cart-waiting')).toHaveText(/online/);
    await expect(wang.page.locator('#table-cart [data-cart-line]')).toHaveCount(0);
    await addDishes(wang.page, ['Lotus root slices']);
    await wang.page.getByRole('button', { name: 'Send to kitchen' }).click();
    await expect(wang.page.locator('#table-cart [data-order-key]')).toHaveCount(1);
    // The queue is kept on the phone (IndexedDB) before anything is sent.
    await expect.poll(() => storedQueue(li.page, 'A3')).toBe(3);
    // Closed and reopened while still cut off: it is still there.
    await li.page.reload();
    await expect(li.page.locator('#table-cart [data-cart-line]')).toHaveCount(3);
    expect(await storedQueue(li.page, 'A3')).toBe(3);
    await li.context.unrouteAll();
    await expect(wang.page.locator('#table-cart [data-cart-line]')).toHaveCount(3, { timeout: 10_000 });
    await expect(line(wang.page, 'Soft tofu')).toHaveAttribute('data-added-by', /Li/);
    await expect(li.page.locator('.table-cart-notices')).toContainText('waits in the cart for the next one');
    const [first] = await kitchenOrders(server);
    expect(first.items.map((item) => item.item_id)).toEqual(['lotus-root']);
  } finally {
    await server.stop();
  }
});

test('two phones pressing "Send to kitchen" together make one order, which every phone follows', async ({ browser }) => {
  const server = await WendanServer.start(SHARED);
  try {
    const wang = await phoneAt(browser, server, 'A5', 'Wang');
    const li = await phoneAt(browser, server, 'A5', 'Li');
    await addDishes(wang.page, ['Fresh beef tripe']);
    await expect(line(li.page, 'Fresh beef tripe')).toHaveCount(1);
    await Promise.all([
      wang.page.getByRole('button', { name: 'Send to kitchen' }).click(),
      li.page.getByRole('button', { name: 'Send to kitchen' }).click(),
    ]);
    for (const { page } of [wang, li]) {
      await expect(page.locator('#table-cart [data-order-key][data-state="received"]')).toHaveCount(1);
      await expect(page.locator('#table-cart [data-cart-line]')).toHaveCount(0);
      await expect(page.locator('.table-cart-notices')).toContainText('sent the table');
    }
    const orders = await kitchenOrders(server);
    expect(orders.filter((order) => order.table === 'A5')).toHaveLength(1);
    const [order] = orders;
    await server.setStatus(order.id, 'preparing');
    await expect(li.page.locator(`#table-cart [data-order-key="${order.id}"]`))
      .toHaveAttribute('data-state', 'preparing', { timeout: 10_000 });
  } finally {
    await server.stop();
  }
});

test('a phone that pressed "Send to kitchen" while cut off, and reloaded, makes no second order when it is back', async ({ browser }) => {
  const server = await WendanServer.start(SHARED);
  try {
    const wang = await phoneAt(browser, server, 'A6', 'Wang');
    const li = await phoneAt(browser, server, 'A6', 'Li');
    await cutOff(li.context, 'A6');
    await addDishes(li.page, ['Soft tofu']);
    await li.page.getByRole('button', { name: 'Send to kitchen' }).click();
    await expect(li.page.getByRole('button', { name: 'Sending to the kitchen…' })).toBeDisabled();
    await expect.poll(async () => (await storedTableCart(li.page, 'A6'))?.press?.round).toBe(1);
    // Meanwhile Wang sends round 1 with his own dish.
    await addDishes(wang.page, ['Lotus root slices']);
    await wang.page.getByRole('button', { name: 'Send to kitchen' }).click();
    await expect(wang.page.locator('#table-cart [data-order-key]')).toHaveCount(1);
    await li.page.reload();
    await expect.poll(async () => (await storedTableCart(li.page, 'A6'))?.press?.round).toBe(1);
    await li.context.unrouteAll();
    // Li's press named round 1, which Wang had sent: that round's order,
    // not a second one; Li's dish waits in the cart for the next round.
    await expect(li.page.locator('#table-cart [data-order-key]')).toHaveCount(1, { timeout: 10_000 });
    await expect(li.page.getByRole('button', { name: 'Send to kitchen' })).toBeEnabled();
    await expect(line(wang.page, 'Soft tofu')).toHaveCount(1, { timeout: 10_000 });
    const orders = (await kitchenOrders(server)).filter((order) => order.table === 'A6');
    expect(orders.map((order) => order.items.map((item) => item.item_id))).toEqual([['lotus-root']]);
    expect((await storedTableCart(li.page, 'A6')).press).toBeUndefined();
  } finally {
    await server.stop();
  }
});

test('in Chinese the button reads 送厨房; a link with an old code is refused in words', async ({ browser }) => {
  const server = await WendanServer.start(SHARED);
  try {
    const zhang = await phoneAt(browser, server, 'B2', '小张', 'zh-CN');
    await expect(zhang.page.getByRole('button', { name: '送厨房' })).toBeDisabled();
    await expectNoSeriousViolations(zhang.page, "the table's cart (zh-CN)");
    const stale = await server.tableUrl('B2', { lang: 'en' });
    await server.newTableCode('B2');
    const page = await (await browser.newContext()).newPage();
    await page.goto(stale);
    await expect(page.locator('.notice')).toContainText('scan the code');
    await expect(page.locator('#table-cart')).toHaveCount(0);
  } finally {
    await server.stop();
  }
});
