// A phone whose only order waits out a network failure follows no live
// status stream (the order has no id on the server yet) and gets no `online`
// event when it was "connected" all along: the reachability probe is what
// tells it the server is back (wendan_outbox::probe, GET /api/v1/reachable).
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';
import { addDishes, expectOrderStates, placePickupOrder } from './support/widget.mjs';

test('the phone\'s only order, deep in its network backoff, arrives within 2 s of the server coming back', async ({ browser }) => {
  const server = await WendanServer.start();
  // No service worker: the page alone must notice.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/?lang=en`);
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
    await server.stop();
    await addDishes(page, ['Potato slices']);
    await placePickupOrder(page, 'Li Wei');
    await expectOrderStates(page, ['saved']);
    // Long enough for its own wait to grow to up to half a minute.
    await page.waitForTimeout(25_000);
    await server.restart();
    const back = Date.now();
    await expect.poll(async () => (await server.openOrders()).length, { timeout: 60_000, intervals: [50] }).toBe(1);
    const waited = Date.now() - back;
    console.log(`the waiting order arrived ${waited} ms after the server was back`);
    expect(waited).toBeLessThan(2_000);
    await expectOrderStates(page, ['received']);
  } finally {
    await context.close();
    await server.stop();
  }
});
