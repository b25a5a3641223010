// Dine-in orders are taken only at tables the restaurant created: a made-up
// `?table=` is refused like any other invalid order, in the diner's language,
// and a table the admin adds takes orders at once.
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';

test('an order at a table that does not exist is refused and says why', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(`${server.url}/?lang=en&table=Z99`);
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['rejected']);
    await expect(page.locator('[data-order-key]')).toContainText('no such table');
    expect(await server.openOrders()).toHaveLength(0);

    await server.putTable('Z99');
    await page.reload();
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received', 'rejected']);
    const orders = await server.openOrders();
    expect(orders.map((order) => order.table)).toEqual(['Z99']);
  } finally {
    await server.stop();
  }
});
