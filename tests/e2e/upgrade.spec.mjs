// A new widget on a phone that the old one left an order on: the IndexedDB
// schema is upgraded (version 1 to 3) and the queued order is still
// delivered, once. And what version 2 added: the pickup name is remembered.
// (The queued order is a pickup: a dine-in order queued by a widget older
// than table codes carries none, and is refused like any wrong code.)
import { randomUUID } from 'node:crypto';
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, placePickupOrder, expectOrderStates } from './support/widget.mjs';

const PICKUP_URL = (server) => `${server.url}/?lang=en`;

/** An order saved and never sent, exactly as an `OutboxEntry` is stored
 * (serde form of outbox/src/entry.rs, as a real record reads, wrapped in a
 * `{key, json}` record). Written out by hand: the old widget's record must
 * not change along with today's code. */
function savedOrder({ key, menuVersion, now }) {
  const entry = {
    key,
    request: {
      mode: 'pickup',
      pickup_name: 'Li Wei',
      items: [{ item_id: 'potato-slices', qty: 1, options: [] }],
      client: {
        device_id: randomUUID(),
        created_at: now,
        sent_at: now,
        menu_version: menuVersion,
        total_minor: 1000,
      },
    },
    max_age_secs: 2700,
    failures: 0,
    state: { state: 'saved', next_attempt_at: now, last_error: null, server_said_wait: false },
  };
  return { key, json: JSON.stringify(entry) };
}

/** The `wendan` database as the version 1 widget created it, with `records`
 * in its outbox. Runs in the page, before the widget has ever opened. */
function createVersion1Database(records) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('wendan', 1);
    request.onupgradeneeded = () => {
      for (const store of ['cart', 'outbox', 'menu', 'quarantine']) {
        request.result.createObjectStore(store, { keyPath: 'key' });
      }
    };
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const transaction = db.transaction('outbox', 'readwrite');
      for (const record of records) transaction.objectStore('outbox').add(record);
      transaction.oncomplete = () => { db.close(); resolve(); };
      transaction.onerror = () => reject(transaction.error);
    };
  });
}

test('an order queued under schema version 1 is delivered once after the upgrade', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    const menu = await (await fetch(`${server.url}/api/v1/menu`)).json();
    const key = randomUUID();
    const order = savedOrder({ key, menuVersion: menu.version, now: new Date().toISOString() });

    // Same origin, but not the widget: nothing has opened `wendan` yet.
    await page.goto(`${server.url}/manifest.webmanifest`);
    await page.evaluate(createVersion1Database, [order]);

    await page.goto(PICKUP_URL(server));
    await expect(page.locator(`[data-order-key="${key}"]`)).toHaveAttribute('data-state', 'received', { timeout: 15_000 });
    await page.waitForTimeout(500);
    const orders = await server.openOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0].pickup_name).toBe('Li Wei');
    expect(orders[0].items.map((line) => line.item_id)).toEqual(['potato-slices']);

    const databases = await page.evaluate(() => indexedDB.databases());
    expect(databases.find((db) => db.name === 'wendan')?.version).toBe(3);
  } finally {
    await server.stop();
  }
});

test('the pickup name is filled in again right after an order, and after a reload', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(PICKUP_URL(server));
    await addDishes(page, ['Potato slices']);
    await placePickupOrder(page, 'Li Wei');
    await expectOrderStates(page, ['received']);

    // No name typed this time: Checkout is only enabled with one.
    await addDishes(page, ['Fresh beef tripe']);
    await placeOrder(page);
    await expectOrderStates(page, ['received', 'received']);
    const orders = await server.openOrders();
    expect(orders.map((order) => order.pickup_name)).toEqual(['Li Wei', 'Li Wei']);

    await page.reload();
    await addDishes(page, ['Potato slices']);
    await page.getByRole('button', { name: 'Cart' }).click();
    await expect(page.getByRole('textbox', { name: 'Name for pickup' })).toHaveValue('Li Wei');
  } finally {
    await server.stop();
  }
});
