// The table's bill (本桌账单) and its visit (开台): a phone that ordered
// nothing reads what the table ordered and owes; once staff settle at the
// counter every phone reads "All paid". Where staff open the tables, a phone
// scanning an unopened table is told at once, before choosing a meal.
import { test, expect } from './support/test.mjs';
import { KITCHEN_TOKEN, WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';

/** The kitchen's API, as the display calls it. */
async function kitchen(server, path, method = 'GET') {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${KITCHEN_TOKEN}`, 'Content-Type': 'application/json' },
    body: method === 'POST' ? '{}' : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

test('a phone that ordered nothing reads the table\'s bill; settling it clears the table for the next party', async ({ page, browser }) => {
  const server = await WendanServer.start();
  const other = await browser.newContext();
  try {
    const link = await server.tableUrl('A3', { lang: 'en' });
    await page.goto(link);
    await addDishes(page, ['Potato slices', 'Tomato pot']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']);

    const friend = await other.newPage();
    await friend.goto(link);
    await friend.getByRole('button', { name: "Show the table's bill" }).click();
    const bill = friend.locator('[data-bill]');
    await expect(bill).toBeVisible();
    const [order] = await server.openOrders();
    await expect(bill.locator('li')).toHaveCount(1);
    await expect(bill.locator('li')).toContainText(`#${order.number}`);
    await expect(bill).toHaveAttribute('data-owed-minor', String(order.total_minor));
    await expect(bill).toContainText('Still to pay');
    await expectNoSeriousViolations(friend, 'the table bill');

    const { tables } = await kitchen(server, '/api/v1/kitchen/board');
    expect(tables.map((open) => open.visit.table)).toEqual(['A3']);
    await kitchen(server, `/api/v1/kitchen/visits/${tables[0].visit.id}/settle`, 'POST');

    // Settling clears the table (清台): the next read finds a fresh table.
    await friend.getByRole('button', { name: "Show the table's bill" }).click();
    await expect(friend.getByText('Nothing ordered at this table yet')).toBeVisible();
    const payment = await (await fetch(`${server.url}/api/v1/orders/${order.id}/payment`)).json();
    expect(payment.payment).toBe('paid');
  } finally {
    await other.close();
    await server.stop();
  }
});

test('the bill reads in Chinese and shows what was paid', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(await server.tableUrl('B2', { lang: 'zh-CN' }));
    await page.getByRole('button', { name: '加入 土豆片', exact: true }).click();
    await page.getByRole('button', { name: '购物车' }).click();
    await page.getByRole('button', { name: '去结算' }).click();
    await page.getByRole('button', { name: '下单' }).click();
    await expectOrderStates(page, ['received']);
    const [order] = await server.openOrders();
    const settled = await fetch(`${server.url}/api/v1/kitchen/orders/${order.id}/paid`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KITCHEN_TOKEN}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(settled.ok).toBe(true);
    await page.getByRole('button', { name: '查看本桌账单' }).click();
    const bill = page.locator('[data-bill]');
    await expect(bill).toHaveAttribute('data-owed-minor', '0');
    await expect(bill).toContainText('已全部付清');
    await expect(page.getByRole('heading', { name: '本桌账单' })).toBeVisible();
  } finally {
    await server.stop();
  }
});

test('where staff open the tables, a phone at an unopened table is told at once and can order once it is opened', async ({ page }) => {
  const server = await WendanServer.start({ extraArgs: ['--table-visits', 'by-staff'] });
  try {
    const link = await server.tableUrl('A5', { lang: 'en' });
    await page.goto(link);
    await expect(page.getByText('Your table is not open yet')).toBeVisible();

    const visit = await kitchen(server, '/api/v1/kitchen/tables/A5/open', 'POST');
    expect(visit.opened_by).toBe('staff');
    await page.goto(link);
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']);
    await expect(page.getByText('Your table is not open yet')).toHaveCount(0);
    const [order] = await server.openOrders();
    expect(order.visit_id).toBe(visit.id);
  } finally {
    await server.stop();
  }
});
