// The first moments of a visit, as a diner lives them: a tap on "Add" the
// instant the button appears counts, on a first visit and on a return visit
// with a kept cart, and the page does not jump when the menu arrives.
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';

const PHONE = { width: 390, height: 844 };

/** The cart's count as the cart bar shows it. */
const cartCount = (page) => page.locator('.cart-button .badge');

/**
 * On pages opened with `&hold-cart=1`, holds a write transaction on the
 * widget's cart store for `ms` from the page's first moment: the stored
 * cart is read late, as on a slow phone's storage, while the menu (in its
 * own store, and from the network) is already on screen.
 */
async function holdStoredCart(page, ms) {
  await page.addInitScript((hold) => {
    if (!location.search.includes('hold-cart')) return;
    const open = indexedDB.open('wendan');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('cart')) { db.close(); return; }
      const store = db.transaction('cart', 'readwrite').objectStore('cart');
      const until = performance.now() + hold;
      const keepBusy = () => { if (performance.now() < until) store.get('current').onsuccess = keepBusy; };
      keepBusy();
    };
  }, ms);
}

const HOLD_MS = 1500;

/**
 * Opens the ordering page with the stored cart held, taps "Add Tomato pot"
 * `delay` ms after it appears, and checks the cart's count once the stored
 * cart has arrived and again after a reload (so the tap was saved too).
 */
async function tapEarly(page, server, delay, expected) {
  const url = await server.tableUrl('A1', { lang: 'en' });
  await page.goto(`${url}&hold-cart=1`);
  const add = page.getByRole('button', { name: 'Add Tomato pot', exact: true });
  await add.waitFor();
  if (delay) await page.waitForTimeout(delay);
  await add.click();
  await page.waitForTimeout(HOLD_MS + 500);
  await expect(cartCount(page)).toHaveText(expected);
  await page.goto(url);
  await expect(cartCount(page)).toHaveText(expected);
}

/** A phone of its own, with the stored cart held when asked to be. */
async function withPhone(browser, run) {
  const server = await WendanServer.start();
  const context = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await holdStoredCart(page, HOLD_MS);
    await run(page, server);
  } finally {
    await context.close();
    await server.stop();
  }
}

for (const delay of [0, 50]) {
  test(`a tap on Add ${delay} ms after the button appears counts`, async ({ browser }) => {
    await withPhone(browser, async (page, server) => {
      // A first visit makes the phone's storage; the next one reads it.
      await page.goto(await server.tableUrl('A1', { lang: 'en' }));
      await expect(cartCount(page)).toHaveText('0');
      await page.waitForTimeout(500);
      await tapEarly(page, server, delay, '1');
    });
  });
}

test('an early tap on a return visit is added to the kept cart', async ({ browser }) => {
  await withPhone(browser, async (page, server) => {
    await page.goto(await server.tableUrl('A1', { lang: 'en' }));
    await page.getByRole('button', { name: 'Add Potato slices', exact: true }).click();
    await expect(cartCount(page)).toHaveText('1');
    await page.waitForTimeout(500);
    await tapEarly(page, server, 0, '2');
  });
});

test('the page does not jump when the menu arrives', async ({ browser }) => {
  await withPhone(browser, async (page, server) => {
    await page.addInitScript(() => {
      window.__layoutShift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (!entry.hadRecentInput) window.__layoutShift += entry.value;
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    // The menu comes late, as on a weak signal: "My orders" is painted first.
    await page.route('**/api/v1/menu', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await page.goto(await server.tableUrl('A1', { lang: 'en' }));
    await page.getByRole('button', { name: 'Add Tomato pot', exact: true }).waitFor();
    await page.waitForTimeout(500);
    const shift = await page.evaluate(() => window.__layoutShift);
    console.log(`cumulative layout shift while the menu arrived: ${shift.toFixed(3)}`);
    expect(shift).toBeLessThan(0.1);
  });
});
