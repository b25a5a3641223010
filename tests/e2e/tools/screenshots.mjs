// Screenshots of every widget screen on a phone (the table's call-staff
// reasons and bill too), and of the kitchen display (with a call and the
// open tables) on a tablet in landscape and on a phone, in en and zh-CN, into
// docs/screenshots/. Needs Debian's fonts-noto-cjk for the Chinese text. Run
// after `cargo xtask demo` has built everything:
//   node tests/e2e/tools/screenshots.mjs
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config.mjs';
import { WendanServer, KITCHEN_TOKEN } from '../support/server.mjs';
import { SAMPLE_ORDERS, placeSample } from './kitchen-orders.mjs';
import { startPayFirst } from '../support/paysim.mjs';
import { placePickupOrder } from '../support/widget.mjs';

const OUT = 'docs/screenshots';
const server = await WendanServer.start();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  for (const lang of ['en', 'zh-CN']) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: lang });
    const page = await context.newPage();
    const shot = (name) => page.screenshot({ path: `${OUT}/${lang}-${name}.png` });
    await page.goto(await server.tableUrl('A12', { lang }));
    await page.locator('[data-item-id="yuanyang-pot"] button').waitFor();
    await shot('1-menu');
    await page.locator('[data-item-id="yuanyang-pot"] button').click();
    await page.locator('dialog[open] input[type=radio]').nth(1).check();
    await page.locator('dialog[open] input[type=radio]').nth(3).check();
    await shot('2-options');
    await page.locator('dialog[open] .primary').click();
    await page.locator('[data-item-id="beef-tripe"] button').click();
    await page.locator('[data-item-id="beef-tripe"] button').click();
    await page.locator('.cart-button').click();
    await shot('3-cart');
    await page.locator('dialog[open] .primary').click();
    await shot('4-review');
    await server.stop();
    await page.locator('dialog[open] .primary').click();
    await page.locator('[data-state="saved"]').waitFor();
    await page.locator('#my-orders').scrollIntoViewIfNeeded();
    await shot('5-saved-offline');
    await server.restart();
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await page.locator('[data-state="received"]').first().waitFor();
    const order = (await server.openOrders()).at(-1);
    await server.setStatus(order.id, 'preparing');
    await server.setStatus(order.id, 'ready');
    await page.locator('[data-state="ready"]').waitFor();
    await page.locator('#my-orders').scrollIntoViewIfNeeded();
    await shot('6-ready');
    await server.setStatus(order.id, 'completed');
    // At the table: the reasons to call staff, and the table's bill.
    await page.locator('.call-staff').click();
    await page.locator('.show-bill').click();
    await page.locator('[data-bill]').waitFor();
    await page.locator('.service').scrollIntoViewIfNeeded();
    await shot('8-table');
    await context.close();
  }
  await kitchenShots();
  await paymentShots();
} finally {
  await browser.close();
  await server.stop();
}
console.log(`screenshots written to ${OUT}/`);

/** A pay-first pickup order waiting for its money (the sandbox's providers),
 * and the counter's strip on the kitchen display. */
async function paymentShots() {
  const { server: shop, paysim } = await startPayFirst();
  try {
    for (const lang of ['en', 'zh-CN']) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: lang });
      const page = await context.newPage();
      await page.goto(`${shop.url}/?lang=${lang}`);
      await page.locator('[data-item-id="beef-tripe"] button').click();
      await page.locator('[data-item-id="yuanyang-pot"] button').click();
      await page.locator('dialog[open] input[type=radio]').nth(1).check();
      await page.locator('dialog[open] input[type=radio]').nth(3).check();
      await page.locator('dialog[open] .primary').click();
      if (lang === 'en') {
        await placePickupOrder(page, 'Li Wei');
      } else {
        await page.locator('.cart-button').click();
        await page.locator('dialog[open] input[autocomplete=name]').fill('李伟');
        await page.locator('dialog[open] input[autocomplete=name]').blur();
        await page.locator('dialog[open] .primary').click();
        await page.locator('dialog[open] .primary').click();
      }
      await page.locator('[data-payment="unpaid"] .pay').waitFor();
      await page.locator('[data-payment="unpaid"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${OUT}/${lang}-7-pay.png` });
      await context.close();
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en' });
    const page = await context.newPage();
    await page.goto(`${shop.url}/kitchen?lang=en#token=${KITCHEN_TOKEN}`);
    await page.locator('.awaiting-order').first().waitFor();
    await page.screenshot({ path: `${OUT}/en-kitchen-awaiting-payment.png` });
    await context.close();
  } finally {
    await shop.stop();
    await paysim.stop();
  }
}

/** The kitchen display with four tickets: an allergy note, a pickup, one
 * being prepared, an add-on (加菜) and one bumped to the pass. */
async function kitchenShots() {
  for (const order of SAMPLE_ORDERS) await placeSample(server, order);
  const open = await server.openOrders();
  await server.setStatus(open[0].id, 'preparing');
  await server.setStatus(open[1].id, 'ready');
  await callStaff(server, 'A3', 'water');
  const devices = [
    ['tablet', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ];
  for (const lang of ['en', 'zh-CN']) {
    for (const [device, viewport] of devices) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: lang });
      const page = await context.newPage();
      await page.goto(`${server.url}/kitchen?lang=${lang}#token=${KITCHEN_TOKEN}`);
      await page.locator('#connection[data-state="live"]').waitFor();
      await page.locator('.ticket').nth(SAMPLE_ORDERS.length - 1).waitFor();
      await page.keyboard.press('3');
      await page.screenshot({ path: `${OUT}/${lang}-kitchen-${device}.png`, fullPage: device === 'phone' });
      await context.close();
    }
  }
}

/** A diner at `table` calls staff (呼叫服务员) for `reason`. */
async function callStaff(at, table, reason) {
  const code = new URL(await at.tableUrl(table)).searchParams.get('code');
  const response = await fetch(`${at.url}/api/v1/tables/${table}/calls`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `"${crypto.randomUUID()}"` },
    body: JSON.stringify({ reason, code, device_id: 'screenshot-phone' }),
  });
  if (!response.ok) throw new Error(`call staff: ${response.status}`);
}
