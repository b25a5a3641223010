// Paying inside WeChat's own browser (JSAPI), in the payment sandbox: the
// first "Pay" goes through WeChat's silent web authorisation (the sandbox
// plays open.weixin.qq.com) for the diner's openid and comes back to the same
// "Pay", which opens WeChat's payment sheet (`WeixinJSBridge`, here a
// stand-in that pays in the sandbox). The next "Pay" goes straight there.
import { test, expect } from './support/test.mjs';
import { startPayFirst } from './support/paysim.mjs';
import { addDishes, expectOrderStates, placePickupOrder } from './support/widget.mjs';

const WECHAT_BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/4G Language/zh_CN';

test('inside the WeChat browser, the first "Pay" learns the diner\'s openid and opens WeChat\'s payment sheet; the next goes straight there', async ({ browser }) => {
  const { server, paysim } = await startPayFirst();
  const context = await browser.newContext({ userAgent: WECHAT_BROWSER });
  try {
    // WeChat's payment sheet: records the call, pays in the sandbox, answers ok.
    const sheets = [];
    await context.exposeFunction('wendanSheet', async (parameters) => {
      sheets.push(parameters);
      const prepay = parameters.package.replace('prepay_id=', '');
      const paid = await fetch(`${paysim.url}/sandbox/wallet/wechat/${prepay}/pay`, { method: 'POST', body: new URLSearchParams() });
      return paid.status;
    });
    await context.addInitScript(() => {
      window.WeixinJSBridge = {
        invoke(name, parameters, callback) {
          if (name !== 'getBrandWCPayRequest') return;
          window.wendanSheet(parameters).then(() => callback({ err_msg: 'get_brand_wcpay_request:ok' }));
        },
      };
    });
    const authorisations = [];
    context.on('request', (request) => {
      if (request.url().startsWith(`${paysim.url}/connect/oauth2/authorize`)) authorisations.push(request.url());
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/?lang=en`);
    await addDishes(page, ['Fresh beef tripe']);
    await placePickupOrder(page, 'Li Wei');
    await expectOrderStates(page, ['awaiting_payment']);
    await page.getByRole('radio', { name: 'WeChat Pay' }).check();
    await page.getByRole('button', { name: 'Pay', exact: true }).click();

    // Through WeChat's authorisation and back; the same "Pay" opened the sheet.
    const card = page.locator('[data-order-key]').first();
    await expect(card).toHaveAttribute('data-payment', 'paid', { timeout: 15_000 });
    await expectOrderStates(page, ['received']);
    expect(authorisations).toHaveLength(1);
    expect(authorisations[0]).toContain('scope=snsapi_base');
    expect(sheets).toHaveLength(1);
    expect(sheets[0].appId).toBe('wx8888888888888888');
    expect(sheets[0].signType).toBe('RSA');
    // The address carries neither the openid nor the return marker any more.
    expect(page.url()).not.toContain('wechat_openid');
    expect(page.url()).not.toContain('payment_return');
    const [payment] = await paysim.payments();
    expect(payment.extra.trade_type).toBe('JSAPI');
    expect(payment.captures).toHaveLength(1);

    // A second order: the phone remembers the openid, no second authorisation.
    await addDishes(page, ['Fresh beef tripe']);
    await placePickupOrder(page, 'Li Wei');
    await expect(page.getByRole('button', { name: 'Pay', exact: true })).toBeVisible({ timeout: 15_000 });
    await page.getByRole('radio', { name: 'WeChat Pay' }).check();
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await expect.poll(() => sheets.length).toBe(2);
    await expect(page.locator('[data-order-key][data-payment="paid"]')).toHaveCount(2, { timeout: 15_000 });
    expect(authorisations).toHaveLength(1);
    const payments = await paysim.payments();
    expect(payments).toHaveLength(2);
    expect(payments[1].extra.openid).toBe(payment.extra.openid);
  } finally {
    await context.close();
    await server.stop();
    await paysim.stop();
  }
});
