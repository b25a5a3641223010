// Paying for an order (pay-first pickup) in the payment sandbox: the diner's
// "Pay", the provider's page, the return, and what the kitchen sees. The
// sandbox keeps a ledger of every provider payment and capture, which is the
// truth these tests count charges against.
import { test, expect } from './support/test.mjs';
import { startPayFirst } from './support/paysim.mjs';
import { addDishes, expectOrderStates, placePickupOrder } from './support/widget.mjs';
import { openKitchen } from './support/kitchen.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';
import { freePort } from './support/server.mjs';
import { HostSite } from './support/host-site.mjs';

const DINER_URL = (server) => `${server.url}/?lang=en`;

/** A pay-first restaurant and its sandbox for one test. */
async function withPayFirst(scenario) {
  const { server, paysim } = await startPayFirst();
  try {
    await scenario({ server, paysim });
  } finally {
    await server.stop();
    await paysim.stop();
  }
}

/** Places a pickup order and waits until the restaurant holds it, unpaid. */
async function placeUnpaidOrder(page, server) {
  await page.goto(DINER_URL(server));
  await addDishes(page, ['Fresh beef tripe']);
  await placePickupOrder(page, 'Li Wei');
  await expectOrderStates(page, ['awaiting_payment']);
  const card = page.locator('[data-order-key]').first();
  await expect(card).toHaveAttribute('data-payment', 'unpaid');
  return card;
}

/** The sandbox's wallet page, by the widget's name of each provider. */
const WALLET = { 'WeChat Pay': 'WeChat Pay', Alipay: 'Alipay', Card: 'Stripe Checkout' };

/** Chooses a provider and taps "Pay": the page goes to the sandbox's wallet. */
async function payWith(page, provider) {
  await page.getByRole('radio', { name: provider }).check();
  await page.getByRole('button', { name: 'Pay', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(WALLET[provider]);
}

test('a pay-first order reaches the kitchen only once paid in the wallet, and the receipt says paid', async ({ browser, page }) =>
  withPayFirst(async ({ server, paysim }) => {
    const kitchen = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    try {
      await openKitchen(kitchen, server);
      const card = await placeUnpaidOrder(page, server);
      await expect(card.locator('.payment-state')).toHaveText(/Not paid yet/);
      await expect(card.locator('.payment-sandbox')).toHaveText(/no real money/);
      await expect(card.getByRole('radio', { name: 'Alipay' })).toBeVisible();
      await expectNoSeriousViolations(page, 'the payment step');
      // Unpaid: not on the cooks' board, only in the counter's strip, where
      // staff cannot take money while the diner may be paying online.
      await expect(kitchen.locator('#no-tickets')).toBeVisible();
      expect(await server.openOrders()).toHaveLength(0);
      const waiting = kitchen.locator('.awaiting-order');
      await expect(waiting).toHaveCount(1);
      await expect(waiting).toHaveAttribute('data-payment', 'unpaid');

      await payWith(page, 'Alipay');
      await page.getByRole('button', { name: 'Pay 支付' }).click();
      // Back on the widget: the server asked the provider, which said paid.
      await expect(page).toHaveURL(new RegExp(`^${server.url}/`));
      const back = page.locator('[data-order-key]').first();
      await expect(back).toHaveAttribute('data-payment', 'paid', { timeout: 10_000 });
      await expect(back.locator('.payment-state')).toHaveText(/Paid · Transaction \S+/);
      await expectOrderStates(page, ['received']);
      // The address no longer claims a return from paying.
      expect(page.url()).not.toContain('payment_return');
      await expect(kitchen.locator('.ticket')).toHaveCount(1, { timeout: 5_000 });
      await expect(kitchen.locator('.awaiting-order')).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Pay', exact: true })).toHaveCount(0);

      const payments = await paysim.payments();
      expect(payments).toHaveLength(1);
      expect(payments[0].captures).toHaveLength(1);
    } finally {
      await kitchen.context().close();
    }
  }));

test('the page closed while paying: reopened, it finds the payment paid, charged once', async ({ context, page }) =>
  withPayFirst(async ({ server, paysim }) => {
    await placeUnpaidOrder(page, server);
    await payWith(page, 'Card');
    // The diner pays, but never comes back to this page.
    await page.route(`${server.url}/**`, (route) => route.abort());
    await page.getByRole('button', { name: 'Pay 支付' }).click().catch(() => {});
    await page.close();

    const reopened = await context.newPage();
    await reopened.goto(DINER_URL(server));
    const card = reopened.locator('[data-order-key]').first();
    // Pending was kept on the phone before leaving; the page asks, the server
    // learns the outcome (notification or its own query) and it shows.
    await expect(card).toHaveAttribute('data-payment', 'paid', { timeout: 15_000 });
    await expectOrderStates(reopened, ['received']);
    const payments = await paysim.payments();
    expect(payments).toHaveLength(1);
    expect(payments[0].captures).toHaveLength(1);
  }));

test('"Pay" tapped five times, in two tabs, makes one provider payment', async ({ context, page }) =>
  withPayFirst(async ({ server, paysim }) => {
    await placeUnpaidOrder(page, server);
    const second = await context.newPage();
    await second.goto(DINER_URL(server));
    await expect(second.locator('[data-order-key]').first()).toHaveAttribute('data-payment', 'unpaid');
    for (const tab of [page, second]) {
      await tab.getByRole('radio', { name: 'WeChat Pay' }).check();
    }
    // Five quick taps in one tab (the page is leaving after the first), and
    // one in the other, at once.
    await Promise.all([
      page.evaluate(() => {
        const pay = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Pay');
        for (let i = 0; i < 5; i += 1) pay.click();
      }),
      second.getByRole('button', { name: 'Pay', exact: true }).click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('WeChat Pay');
    await expect(second.getByRole('heading', { level: 1 })).toContainText('WeChat Pay');
    // Back from the wallet without paying, and "Pay" again: the same payment.
    await second.goBack();
    await expect(second.locator('[data-order-key]').first()).toHaveAttribute('data-payment', 'pending');
    await expect(second.locator('.payment-state')).toHaveText(/not be charged twice/);
    await second.getByRole('button', { name: 'Pay', exact: true }).click();
    await expect(second.getByRole('heading', { level: 1 })).toContainText('WeChat Pay');
    expect(await paysim.payments()).toHaveLength(1);

    await second.getByRole('button', { name: 'Pay 支付' }).click();
    await expect(second.locator('[data-order-key]').first()).toHaveAttribute('data-payment', 'paid', { timeout: 10_000 });
    // The first tab's wallet is the same payment, already paid: no second capture.
    await page.getByRole('button', { name: 'Pay 支付' }).click();
    const payments = await paysim.payments();
    expect(payments).toHaveLength(1);
    expect(payments[0].captures).toHaveLength(1);
  }));

test('a declined payment is closed, and paying again for the same order charges once', async ({ page }) =>
  withPayFirst(async ({ server, paysim }) => {
    await placeUnpaidOrder(page, server);
    await payWith(page, 'Card');
    await page.getByRole('button', { name: 'Decline 拒绝' }).click();
    await page.goto(DINER_URL(server));
    const card = page.locator('[data-order-key]').first();
    await expect(card).toHaveAttribute('data-payment', 'failed', { timeout: 15_000 });
    await expect(card.locator('.payment-state')).toHaveText(/nothing was charged/);

    await payWith(page, 'Card');
    await page.getByRole('button', { name: 'Pay 支付' }).click();
    await expect(page.locator('[data-order-key]').first()).toHaveAttribute('data-payment', 'paid', { timeout: 10_000 });
    const payments = await paysim.payments();
    expect(payments).toHaveLength(2);
    expect(payments.map((payment) => payment.status).sort()).toEqual(['closed', 'paid']);
    expect(payments.flatMap((payment) => payment.captures)).toHaveLength(1);
  }));

test('paying at the counter: staff mark it paid on the kitchen display, and the ticket and the receipt follow', async ({ browser, page }) =>
  withPayFirst(async ({ server, paysim }) => {
    const kitchen = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    try {
      await openKitchen(kitchen, server);
      const card = await placeUnpaidOrder(page, server);
      await page.getByRole('radio', { name: 'At the counter' }).check();
      await page.getByRole('button', { name: 'Pay', exact: true }).click();
      await expect(card).toHaveAttribute('data-payment', 'counter');
      await expect(card.locator('.payment-state')).toHaveText(/Pay at the counter/);
      // No provider is involved.
      expect(await paysim.payments()).toHaveLength(0);

      const waiting = kitchen.locator('.awaiting-order');
      await expect(waiting).toHaveAttribute('data-payment', 'counter', { timeout: 20_000 });
      await expect(waiting).toContainText('Pays at the counter');
      // Legible to the cashier (the strip once had near-white text on pale yellow).
      await expectNoSeriousViolations(kitchen, 'kitchen display with the counter strip');
      await expect(kitchen.locator('.ticket')).toHaveCount(0);
      await waiting.getByRole('button', { name: 'Paid at the counter' }).click();
      await expect(kitchen.locator('.ticket')).toHaveCount(1);
      await expect(kitchen.locator('.awaiting-order')).toHaveCount(0);

      await expectOrderStates(page, ['received']);
      await expect(card).toHaveAttribute('data-payment', 'paid');
    } finally {
      await kitchen.context().close();
    }
  }));

test('embedded on a restaurant site, the provider opens in a new window and the overlay learns the result', async ({ context, page }) => {
  const hostPort = await freePort();
  const { server, paysim } = await startPayFirst(['--frame-ancestors', `http://127.0.0.1:${hostPort}`]);
  const site = await HostSite.start({ widgetUrl: server.url, port: hostPort, attributes: { lang: 'en', label: 'Order' } });
  try {
    await page.goto(site.url);
    await page.getByRole('button', { name: 'Order', exact: true }).click();
    const frame = page.frameLocator('iframe.wendan-frame');
    await addDishes(frame, ['Fresh beef tripe']);
    await placePickupOrder(frame, 'Li Wei');
    const card = frame.locator('[data-order-key]').first();
    await expect(card).toHaveAttribute('data-payment', 'unpaid', { timeout: 15_000 });

    await frame.getByRole('radio', { name: 'Alipay' }).check();
    const [wallet] = await Promise.all([
      context.waitForEvent('page'),
      frame.getByRole('button', { name: 'Pay', exact: true }).click(),
    ]);
    await expect(wallet.getByRole('heading', { level: 1 })).toContainText('Alipay');
    // The overlay stays on the host page and says where the payment went.
    await expect(frame.locator('.notice', { hasText: 'new window' })).toBeVisible();
    await wallet.getByRole('button', { name: 'Pay 支付' }).click();
    await wallet.close();
    // The overlay was never navigated: it asks the server until it knows.
    await expect(card).toHaveAttribute('data-payment', 'paid', { timeout: 15_000 });
    const payments = await paysim.payments();
    expect(payments).toHaveLength(1);
    expect(payments[0].captures).toHaveLength(1);
  } finally {
    await site.stop();
    await server.stop();
    await paysim.stop();
  }
});

test('the kitchen cancels a paid order: the money goes back once, and the receipt says so', async ({ page }) =>
  withPayFirst(async ({ server, paysim }) => {
    await placeUnpaidOrder(page, server);
    await payWith(page, 'Alipay');
    await page.getByRole('button', { name: 'Pay 支付' }).click();
    const card = page.locator('[data-order-key]').first();
    await expect(card).toHaveAttribute('data-payment', 'paid', { timeout: 10_000 });
    const [order] = await server.openOrders();
    await server.setStatus(order.id, 'cancelled', 'Sold out, sorry');
    // Asked twice (a double tap on the display): refunded once.
    await server.setStatus(order.id, 'cancelled', 'Sold out, sorry').catch(() => {});
    await expectOrderStates(page, ['cancelled']);
    await expect(card).toHaveAttribute('data-payment', 'refunded', { timeout: 15_000 });
    await expect(card.locator('.payment-state')).toHaveText(/Refunded/);
    const payments = await paysim.payments();
    expect(payments).toHaveLength(1);
    expect(payments[0].captures).toHaveLength(1);
    expect(payments[0].refunds).toHaveLength(1);
  }));

test('in a mini-program web-view, WeChat Pay is handed to the native page, and the receipt learns it was paid', async ({ browser }) =>
  withPayFirst(async ({ server, paysim }) => {
    const context = await browser.newContext({
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN miniProgram/wx0123456789',
    });
    // A stand-in for jweixin-1.6.0.js, served from its real address: it
    // records where the web-view asks the mini-program to go.
    await context.route('https://res.wx.qq.com/**', (route) => route.fulfill({
      contentType: 'text/javascript',
      body: 'window.wxNavigations = []; window.wx = { miniProgram: { postMessage: function () {}, '
        + 'navigateTo: function (o) { window.wxNavigations.push(o.url); } } };',
    }));
    const page = await context.newPage();
    try {
      await placeUnpaidOrder(page, server);
      await page.getByRole('radio', { name: 'WeChat Pay' }).check();
      await page.getByRole('button', { name: 'Pay', exact: true }).click();
      const [url] = await expect.poll(() => page.evaluate(() => window.wxNavigations ?? []))
        .toHaveLength(1).then(() => page.evaluate(() => window.wxNavigations));
      expect(url).toMatch(/^\/pages\/wendan-pay\/index\?order_id=[0-9a-f-]+$/);
      const orderId = new URL(url, 'https://mini.program').searchParams.get('order_id');
      // No provider payment yet: the native page makes it, with the diner's openid.
      expect(await paysim.payments()).toHaveLength(0);

      // The native page, as the README shows it: "Pay" with the openid, then
      // wx.requestPayment (here: the sandbox's wallet for that prepay_id).
      const answer = await (await fetch(`${server.url}/api/v1/orders/${orderId}/payments`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `"${orderId}-mp"` },
        body: JSON.stringify({ channel: 'wechat_mini_program', openid: 'o-e2e' }),
      })).json();
      expect(answer.handoff.kind).toBe('mini_program');
      expect(answer.handoff.order_id).toBe(orderId);
      const prepay = answer.handoff.payment.package.replace('prepay_id=', '');
      const paid = await fetch(`${paysim.url}/sandbox/wallet/wechat/${prepay}/pay`, { method: 'POST', body: new URLSearchParams() });
      expect(paid.status).toBeLessThan(400);

      // Back in the web-view: the order reached the kitchen, the receipt says paid.
      const card = page.locator('[data-order-key]').first();
      await expect(card).toHaveAttribute('data-payment', 'paid', { timeout: 15_000 });
      await expectOrderStates(page, ['received']);
      const payments = await paysim.payments();
      expect(payments).toHaveLength(1);
      expect(payments[0].captures).toHaveLength(1);
    } finally {
      await context.close();
    }
  }));

test('"Pay" tapped the moment it appears, before the ways to pay have arrived, is not lost', async ({ page }) =>
  withPayFirst(async ({ server }) => {
    // The restaurant's choices arrive slowly (a weak signal).
    await page.route('**/api/v1/payments/options', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.goto(DINER_URL(server));
    await addDishes(page, ['Fresh beef tripe']);
    await placePickupOrder(page, 'Li Wei');
    const pay = page.getByRole('button', { name: 'Pay', exact: true });
    await pay.waitFor();
    await expect(page.getByRole('radio')).toHaveCount(0);
    await pay.click();
    // The tap waited for the choices, then went to the first provider's page.
    await expect(page.getByRole('heading', { level: 1 })).toContainText('WeChat Pay', { timeout: 10_000 });
  }));

test('the provider\'s notification is lost: the server\'s own query finds the payment, and the ticket reaches the kitchen', async ({ browser, page }) =>
  withPayFirst(async ({ server, paysim }) => {
    const kitchen = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    try {
      await openKitchen(kitchen, server);
      await paysim.setFaults({ lose_notification: 1 });
      await placeUnpaidOrder(page, server);
      await payWith(page, 'Alipay');
      await page.getByRole('button', { name: 'Pay 支付' }).click();
      // Back on the widget: nobody told the server, so it asks the provider.
      const card = page.locator('[data-order-key]').first();
      await expect(card).toHaveAttribute('data-payment', 'paid', { timeout: 10_000 });
      await expect(card.locator('.payment-state')).toHaveText(/Paid · Transaction \S+/);
      await expectOrderStates(page, ['received']);
      await expect(kitchen.locator('.ticket')).toHaveCount(1, { timeout: 5_000 });
      await expect(kitchen.locator('.awaiting-order')).toHaveCount(0);

      const payments = await paysim.payments();
      expect(payments).toHaveLength(1);
      expect(payments[0].captures).toHaveLength(1);
      // The notification was written and never sent: the query alone found the money.
      expect(payments[0].notifications.length).toBeGreaterThan(0);
      for (const notification of payments[0].notifications) {
        expect(notification).toMatchObject({ attempts: 0, acknowledged: false });
      }
    } finally {
      await kitchen.context().close();
    }
  }));

test('a notification with a wrong amount is refused: the order stays off the kitchen board until the provider\'s query reports what was paid', async ({ browser, page }) =>
  withPayFirst(async ({ server, paysim }) => {
    const kitchen = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    try {
      await openKitchen(kitchen, server);
      // Every notification claims one fen more than was paid (correctly
      // signed: only the amount check catches it), and the provider's query
      // is down for now, so the notification is all the server hears.
      await paysim.setFaults({ wrong_amount: 1, query_error: 1 });
      await placeUnpaidOrder(page, server);
      await payWith(page, 'Alipay');
      await page.getByRole('button', { name: 'Pay 支付' }).click();
      await expect(page).toHaveURL(new RegExp(`^${server.url}/`));
      // The server answered the notification (so the provider stops
      // resending) and changed nothing.
      await expect.poll(async () => (await paysim.payments())[0]?.notifications.some((n) => n.acknowledged), { timeout: 10_000 })
        .toBe(true);
      const card = page.locator('[data-order-key]').first();
      await expect(card).toHaveAttribute('data-payment', 'pending');
      await expectOrderStates(page, ['awaiting_payment']);
      expect(await server.openOrders()).toHaveLength(0);
      await expect(kitchen.locator('.ticket')).toHaveCount(0);
      await expect(kitchen.locator('.awaiting-order')).toHaveCount(1);
      // The diner's money was taken at the provider all the same.
      expect((await paysim.payments())[0].captures).toHaveLength(1);

      // The query answers again and reports the amount really paid, which
      // is the order's: that, not the notification, sends it to the kitchen.
      await paysim.setFaults({ wrong_amount: 1 });
      await page.goto(DINER_URL(server));
      const back = page.locator('[data-order-key]').first();
      await expect(back).toHaveAttribute('data-payment', 'paid', { timeout: 15_000 });
      await expectOrderStates(page, ['received']);
      await expect(kitchen.locator('.ticket')).toHaveCount(1, { timeout: 5_000 });
      const payments = await paysim.payments();
      expect(payments).toHaveLength(1);
      expect(payments[0].captures).toHaveLength(1);
    } finally {
      await kitchen.context().close();
    }
  }));
