// The open tables on the kitchen display (开台 → 清台): each table's bill,
// settling it at the counter, opening a table by hand, moving a party (换桌)
// and clearing a table, with refusals said where staff look.
import { test, expect } from './support/test.mjs';
import { WendanServer, KITCHEN_TOKEN } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';
import { openKitchen } from './support/kitchen.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';

const DINER_URL = (server, table) => server.tableUrl(table, { lang: 'en' });

/** A server, a diner's phone and a kitchen tablet logged in and live. */
async function withDinerAndKitchen(browser, scenario, lang = 'en') {
  const server = await WendanServer.start();
  const diner = await (await browser.newContext()).newPage();
  const kitchen = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  try {
    await openKitchen(kitchen, server, lang);
    await scenario({ server, diner, kitchen });
  } finally {
    await diner.context().close();
    await kitchen.context().close();
    await server.stop();
  }
}

/** A diner at `table` orders `dishes`; answers the order as the kitchen sees it. */
async function orderAt(server, diner, table, dishes = ['Fresh beef tripe']) {
  await diner.goto(await DINER_URL(server, table));
  await addDishes(diner, dishes);
  await placeOrder(diner);
  await expectOrderStates(diner, ['received']);
  const orders = (await server.openOrders()).filter((order) => order.table === table);
  expect(orders).toHaveLength(1);
  return orders[0];
}

/** The kitchen board as the server answers it (the truth the page draws). */
async function board(server) {
  const response = await fetch(`${server.url}/api/v1/kitchen/board`, {
    headers: { Authorization: `Bearer ${KITCHEN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return response.json();
}

/** `¥152.00`, as the display writes the demo restaurant's amounts. */
const yuan = (minor) => `¥${(minor / 100).toFixed(2)}`;

const row = (kitchen, table) => kitchen.locator(`#table-list .table-bill[data-table="${table}"]`);

test('a table\'s bill is owed until it is settled at the counter, once, which clears the table', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await expect(kitchen.locator('#no-tables')).toHaveText('No table is open');
    const placed = await orderAt(server, diner, 'A1', ['Fresh beef tripe', 'Potato slices']);
    expect(placed.total_minor).toBeGreaterThan(0);

    const a1 = row(kitchen, 'A1');
    await expect(a1).toHaveCount(1);
    await expect(kitchen.locator('#no-tables')).toBeHidden();
    await expect(a1.locator('.table-name')).toHaveText('Table A1');
    await expect(a1.locator('.table-rounds')).toHaveText('Orders 1');
    await expect(a1.locator('.table-total')).toHaveText(yuan(placed.total_minor));
    await expect(a1.locator('.table-owed')).toHaveText(`Owed ${yuan(placed.total_minor)}`);
    await expect(a1.locator('.table-opened')).toContainText('Open since');

    // Pressed twice in a hurry: one settlement goes to the server.
    const settles = [];
    kitchen.on('request', (request) => { if (request.url().endsWith('/settle')) settles.push(request.method()); });
    await a1.getByRole('button', { name: 'Settle at the counter' }).dblclick();
    await expect(a1).toHaveCount(0);
    await expect(kitchen.locator('#no-tables')).toBeVisible();
    await expect(kitchen.locator('#tables-message')).toHaveText('');
    expect(settles).toEqual(['POST']);
    expect((await board(server)).tables).toEqual([]);

    const response = await fetch(`${server.url}/api/v1/orders/${placed.id}/payment`);
    expect(response.status).toBe(200);
    expect((await response.json()).payment).toBe('paid');
  }));

test('settling while a diner pays online is refused and says so', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await orderAt(server, diner, 'A2');
    // The server's answer while a diner's online payment is under way.
    await kitchen.route('**/api/v1/kitchen/visits/*/settle', (route) => route.fulfill({
      status: 409,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: '/problems/payment-refused', title: 'Payment refused', status: 409,
        detail: 'order #1 is being paid online; settle once that payment is known',
      }),
    }));
    await row(kitchen, 'A2').getByRole('button', { name: 'Settle at the counter' }).click();
    await expect(kitchen.locator('#tables-message')).toHaveText('A diner is paying online right now: wait for it, then settle');
    await expect(row(kitchen, 'A2')).toHaveCount(1);
    await expect(row(kitchen, 'A2').getByRole('button', { name: 'Settle at the counter' })).toHaveAttribute('aria-disabled', 'false');
  }));

test('staff open a table by hand and clear it; an unknown table is refused with the server\'s reason', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, kitchen }) => {
    const field = kitchen.getByRole('textbox', { name: 'Table', exact: true });
    await field.fill('B2');
    await kitchen.getByRole('button', { name: 'Open a table' }).click();
    const b2 = row(kitchen, 'B2');
    await expect(b2).toHaveCount(1);
    await expect(b2).toHaveAttribute('data-opened-by', 'staff');
    await expect(field).toHaveValue('');
    await expect(b2.locator('.table-rounds')).toHaveText('Orders 0');
    await expect(b2.locator('.table-owed')).toHaveText('Paid up');
    // Nothing owed: nothing to settle.
    await expect(b2.getByRole('button', { name: 'Settle at the counter' })).toHaveCount(0);
    const [open] = (await board(server)).tables;
    expect(open.visit).toMatchObject({ table: 'B2', opened_by: 'staff' });

    await field.fill('Z99');
    await field.press('Enter');
    await expect(kitchen.locator('#tables-message')).toHaveText('Failed: no such table');
    await expect(kitchen.locator('#table-list .table-bill')).toHaveCount(1);

    await b2.getByRole('button', { name: 'Clear table' }).click();
    await expect(b2).toHaveCount(0);
    await expect(kitchen.locator('#no-tables')).toBeVisible();
    await expect(kitchen.locator('#tables-message')).toHaveText('');
    expect((await board(server)).tables).toEqual([]);
  }));

test('a party moves to a free table, its ticket goes there, and a table with its own party is refused', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await orderAt(server, diner, 'A1');
    const a1 = row(kitchen, 'A1');
    await expect(a1).toHaveCount(1);
    await expect(kitchen.locator('.ticket .ticket-where')).toHaveText('Table A1');

    // By keyboard: the Move button opens a labelled field, Enter sends it.
    const move = a1.locator('.table-actions').getByRole('button', { name: 'Move' });
    await move.focus();
    await kitchen.keyboard.press('Enter');
    await expect(move).toHaveAttribute('aria-expanded', 'true');
    const where = kitchen.getByRole('textbox', { name: 'Move to table' });
    await expect(where).toBeFocused();
    await kitchen.keyboard.type('A3');
    await kitchen.keyboard.press('Enter');

    const a3 = row(kitchen, 'A3');
    await expect(a3).toHaveCount(1);
    await expect(a1).toHaveCount(0);
    await expect(a3.locator('.table-name')).toHaveText('Table A3');
    await expect(a3.locator('.table-rounds')).toHaveText('Orders 1');
    await expect(kitchen.getByRole('textbox', { name: 'Move to table' })).toHaveCount(0);
    await expect(kitchen.locator('.ticket .ticket-where')).toHaveText('Table A1 → A3');

    // B2 has its own party: the move is refused, the party stays at A3.
    await kitchen.getByRole('textbox', { name: 'Table', exact: true }).fill('B2');
    await kitchen.getByRole('button', { name: 'Open a table' }).click();
    await expect(row(kitchen, 'B2')).toHaveCount(1);
    await a3.locator('.table-actions').getByRole('button', { name: 'Move' }).click();
    await kitchen.getByRole('textbox', { name: 'Move to table' }).fill('B2');
    await a3.locator('.move-form').getByRole('button', { name: 'Move' }).click();
    await expect(kitchen.locator('#tables-message')).toHaveText('That table has its own party: clear it first');
    await expect(kitchen.locator('#tables-message')).toHaveAttribute('role', 'alert');
    await expect(a3).toHaveCount(1);
    await expect(kitchen.locator('.ticket .ticket-where')).toHaveText('Table A1 → A3');
    const tables = (await board(server)).tables.map((bill) => bill.visit.table).sort();
    expect(tables).toEqual(['A3', 'B2']);
  }));

for (const lang of ['en', 'zh-CN']) {
  test(`the display with an open table is accessible (${lang})`, async ({ browser }) =>
    withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
      await orderAt(server, diner, 'A1');
      await kitchen.goto(`${server.url}/kitchen?lang=${lang}`);
      await expect(kitchen.locator('html')).toHaveAttribute('lang', lang);
      await expect(row(kitchen, 'A1')).toHaveCount(1);
      // The move form open and a refusal shown: every part of the section.
      await row(kitchen, 'A1').locator('.table-actions button').nth(1).click();
      await row(kitchen, 'A1').locator('.move-form input').fill('A12');
      await kitchen.locator('#open-table-id').fill('Z99');
      await kitchen.locator('#open-table-submit').click();
      await expect(kitchen.locator('#tables-message')).not.toHaveText('');
      await expectNoSeriousViolations(kitchen, `kitchen tables (${lang})`);
    }));
}

test('in Chinese the section reads 桌台, with its buttons in Chinese', async ({ browser }) =>
  withDinerAndKitchen(browser, async ({ server, diner, kitchen }) => {
    await expect(kitchen.getByRole('heading', { name: '桌台' })).toBeVisible();
    await expect(kitchen.locator('#no-tables')).toHaveText('暂无开台');
    await orderAt(server, diner, 'A1');
    const a1 = row(kitchen, 'A1');
    await expect(a1.locator('.table-name')).toHaveText(/A1$/);
    await expect(a1.getByRole('button')).toHaveText(['前台结账', '换桌', '清台']);
    await expect(a1.locator('.table-rounds')).toHaveText('单数 1');
    await expect(kitchen.getByRole('button', { name: '开台' })).toBeVisible();
  }, 'zh-CN'));
