// Service for the table (催单, 呼叫服务员): a diner calls staff with a reason
// or hurries an order; the kitchen's board lists the call once however many
// times it was pressed, and a call made offline waits on the phone and is
// sent when the network is back.
import { test, expect } from './support/test.mjs';
import { KITCHEN_TOKEN, WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';

async function openCalls(server) {
  const response = await fetch(`${server.url}/api/v1/kitchen/board`, {
    headers: { Authorization: `Bearer ${KITCHEN_TOKEN}` },
  });
  return (await response.json()).calls;
}

async function callFor(page, reason) {
  await page.getByRole('button', { name: 'Call staff' }).click();
  await page.getByRole('group', { name: 'What do you need?' }).getByRole('button', { name: reason }).click();
}

test('five presses are one call; a call made offline waits and reaches the staff when the network is back', async ({ page, context }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(await server.tableUrl('A4', { lang: 'en' }));
    for (let press = 0; press < 5; press += 1) await callFor(page, 'Water');
    await expect(page.locator('.call-status')).toHaveText('Staff have been called');
    await expect.poll(async () => (await openCalls(server)).map((call) => [call.table, call.reason]))
      .toEqual([['A4', 'water']]);

    await context.setOffline(true);
    await callFor(page, 'The bill');
    await expect(page.locator('.call-status')).toHaveText('Will call staff as soon as the phone is online');
    expect((await openCalls(server)).map((call) => call.reason)).toEqual(['water']);
    await context.setOffline(false);
    await expect(page.locator('.call-status')).toHaveText('Staff have been called', { timeout: 10_000 });
    expect((await openCalls(server)).map((call) => call.reason)).toEqual(['water', 'bill']);
  } finally {
    await server.stop();
  }
});

test('"Hurry" on an order the kitchen is cooking reaches the kitchen with its number, once', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(await server.tableUrl('A6', { lang: 'en' }));
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']);
    const hurry = page.getByRole('button', { name: 'Hurry' });
    await hurry.click();
    await hurry.click();
    await expect(page.locator('.hurry-status')).toHaveText('The kitchen has been asked to hurry');
    const [order] = await server.openOrders();
    await expect.poll(async () => (await openCalls(server)).map((call) => [call.reason, call.order_number]))
      .toEqual([['hurry', order.number]]);
  } finally {
    await server.stop();
  }
});

test('in Chinese the buttons read 呼叫服务员 and 加水, and the page stays accessible', async ({ page }) => {
  const server = await WendanServer.start();
  try {
    await page.goto(await server.tableUrl('B1', { lang: 'zh-CN' }));
    await page.getByRole('button', { name: '呼叫服务员' }).click();
    await expectNoSeriousViolations(page, 'the call reasons (zh-CN)');
    await page.getByRole('group', { name: '需要什么？' }).getByRole('button', { name: '加水' }).click();
    await expect(page.locator('.call-status')).toHaveText('已呼叫服务员');
    expect((await openCalls(server)).map((call) => call.reason)).toEqual(['water']);
  } finally {
    await server.stop();
  }
});
