// Dine-in orders are taken only at tables the restaurant created, and only
// with the table's current code from its QR link: a made-up `?table=` is
// refused like any other invalid order, a wrong or replaced code with its own
// message, each in the diner's language; a table the admin adds takes orders
// at once, and "New code" retires the printed link.
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
    await page.goto(await server.tableUrl('Z99', { lang: 'en' }));
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received', 'rejected']);
    const orders = await server.openOrders();
    expect(orders.map((order) => order.table)).toEqual(['Z99']);
  } finally {
    await server.stop();
  }
});

test('a phone with a wrong code is told to scan the code on the table, in its language', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    const link = new URL(await server.tableUrl('A12', { lang: 'zh-CN' }));
    link.searchParams.set('code', 'guessed0000');
    await page.goto(link.toString());
    await page.getByRole('button', { name: '加入 土豆片', exact: true }).click();
    await page.getByRole('button', { name: '购物车' }).click();
    await page.getByRole('button', { name: '去结算' }).click();
    await page.getByRole('button', { name: '下单' }).click();
    await expectOrderStates(page, ['rejected']);
    await expect(page.locator('[data-order-key]')).toContainText('本桌的二维码已更换或无效，请扫描桌上的二维码');
    expect(await server.openOrders()).toHaveLength(0);
  } finally {
    await server.stop();
  }
});

test('after "New code" the old link is refused and the new one takes orders', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    const old = await server.tableUrl('A12', { lang: 'en' });
    await server.newTableCode('A12');
    const fresh = await server.tableUrl('A12', { lang: 'en' });
    expect(fresh).not.toEqual(old);

    await page.goto(old);
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['rejected']);
    await expect(page.locator('[data-order-key]')).toContainText("This table's code has changed or is not valid: please scan the code on your table");

    await page.goto(fresh);
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received', 'rejected']);
    const orders = await server.openOrders();
    expect(orders.map((order) => order.table)).toEqual(['A12']);
  } finally {
    await server.stop();
  }
});
