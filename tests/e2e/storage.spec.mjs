// The phone's storage failing: IndexedDB blocked, or the storage full. The
// diner is told, in words, and no order is silently lost or doubled.
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';

const TABLE_URL = (server) => server.tableUrl('A12', { lang: 'en' });

test('with IndexedDB blocked the widget says so, keeps orders in localStorage and delivers them once', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext();
  // As in some private modes and web-views: opening IndexedDB fails.
  await context.addInitScript(() => {
    const blocked = () => { throw new DOMException('IndexedDB is blocked here', 'SecurityError'); };
    Object.defineProperty(IDBFactory.prototype, 'open', { value: blocked });
  });
  const page = await context.newPage();
  try {
    await page.goto(await TABLE_URL(server));
    await expect(page.getByRole('alert')).toContainText('blocks IndexedDB');
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']);

    await page.reload();
    await expectOrderStates(page, ['received']);
    const kept = await page.evaluate(() => Object.keys(localStorage).join(' '));
    expect(kept).toContain('outbox');
    expect(await server.openOrders()).toHaveLength(1);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('with the storage full the diner is told, the cart stays, and the order is placed once space is back', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext();
  // A full phone, switched on and off by the test: every IndexedDB write
  // fails with QuotaExceededError, as the browser reports a full quota.
  // (Chromium's DevTools quota override did not make these small writes
  // fail, so the fault is injected at the IndexedDB API.)
  await context.addInitScript(() => {
    for (const method of ['put', 'add']) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (...args) {
        if (globalThis.wendanStorageFull) {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return original.apply(this, args);
      };
    }
  });
  const page = await context.newPage();
  const setStorageFull = (full) => page.evaluate((value) => { globalThis.wendanStorageFull = value; }, full);
  try {
    await page.goto(await TABLE_URL(server));
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
    await setStorageFull(true);

    await addDishes(page, ['Potato slices', 'Fresh beef tripe']);
    await expect(page.getByRole('alert')).toContainText('storage is full');
    await placeOrder(page);
    await expect(page.getByText('storage is full').last()).toBeVisible();
    await expect(page.locator('[data-order-key]')).toHaveCount(0);
    expect(await server.openOrders()).toHaveLength(0);

    // Space again: the same cart is placed, once.
    await setStorageFull(false);
    await page.getByRole('button', { name: 'Place order' }).click();
    await expectOrderStates(page, ['received']);
    const orders = await server.openOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0].items.map((line) => line.item_id).sort()).toEqual(['beef-tripe', 'potato-slices']);
  } finally {
    await context.close();
    await server.stop();
  }
});
