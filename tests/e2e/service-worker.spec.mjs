// The service worker: the app opens with no server at all, and orders reach
// the restaurant with no page open. Without a worker, the page carries them.
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';

const TABLE_URL = (server) => server.tableUrl('A12', { lang: 'en' });

async function waitForWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
}

/** A first visit with the worker in control; then the server goes down and
 * the diner orders: the order is saved on the phone. */
async function queueOrderWithServerDown(context, server) {
  const page = await context.newPage();
  await page.goto(await TABLE_URL(server));
  await waitForWorker(page);
  await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
  await server.stop();
  await addDishes(page, ['Potato slices']);
  await placeOrder(page);
  await expectOrderStates(page, ['saved']);
  return page;
}

test('after one visit, the app, the cached menu and the saved cart open with the server stopped', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  try {
    const page = await context.newPage();
    await page.goto(await TABLE_URL(server));
    await waitForWorker(page);
    await addDishes(page, ['Potato slices', 'Fresh beef tripe']);
    await expect(page.locator('.badge')).toHaveText('2');
    await server.stop();

    await page.reload();
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
    await expect(page.locator('.badge')).toHaveText('2');
    await expect(page.locator('.status-line')).toContainText('Offline');
    await expect(page.locator('.status-line')).toContainText('Menu last updated');
  } finally {
    await context.close();
    await server.stop();
  }
});

test('the worker is registered only once the page has loaded, so its install never competes with the first load', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  try {
    // A photo that takes 3 s holds the page's load event well past the
    // moment storage opens, where the worker used to be registered.
    await context.route('**/slow-photo.svg', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await route.fulfill({ contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg"/>' });
    });
    await context.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => {
        const photo = new Image();
        photo.src = '/slow-photo.svg';
        document.body.append(photo);
      });
      const register = ServiceWorkerContainer.prototype.register;
      ServiceWorkerContainer.prototype.register = function (...args) {
        (window.registeredWhile ??= []).push(document.readyState);
        return register.apply(this, args);
      };
    });
    const page = await context.newPage();
    await page.goto(await TABLE_URL(server));
    await waitForWorker(page);
    expect(await page.evaluate(() => window.registeredWhile)).toEqual(['complete']);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('an order queued with the server down is delivered by the worker with no page open', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  try {
    const page = await queueOrderWithServerDown(context, server);
    await page.close();

    await server.restart();
    // No widget page is open. The browser fires the Background Sync event
    // (DevTools' "sync" button, over the DevTools protocol).
    const blank = await context.newPage();
    const cdp = await context.newCDPSession(blank);
    const registrations = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => registrations.push(...updated));
    await cdp.send('ServiceWorker.enable');
    await expect.poll(() => registrations.length).toBeGreaterThan(0);
    const { registrationId, scopeURL } = registrations[0];
    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: new URL(scopeURL).origin,
      registrationId,
      tag: 'wendan-outbox',
      lastChance: false,
    });
    await expect.poll(async () => (await server.openOrders()).length, { timeout: 15_000 }).toBe(1);

    // Opening the widget again shows it received, and nothing is sent twice.
    const again = await context.newPage();
    await again.goto(await TABLE_URL(server));
    await expectOrderStates(again, ['received']);
    expect(await server.openOrders()).toHaveLength(1);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('the page and the worker delivering at the same moment make one order', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  try {
    const page = await queueOrderWithServerDown(context, server);
    await server.restart();
    await page.evaluate(() => {
      navigator.serviceWorker.controller.postMessage('deliver');
      window.dispatchEvent(new Event('online'));
    });
    await expectOrderStates(page, ['received']);
    await page.waitForTimeout(1000);
    expect(await server.openOrders()).toHaveLength(1);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('without a service worker the page alone delivers an order placed offline, once', async ({ browser }) => {
  const server = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  try {
    // As in an iOS web-view or a mini-program: no navigator.serviceWorker.
    await context.addInitScript(() => { delete Navigator.prototype.serviceWorker; });
    const page = await context.newPage();
    await page.goto(await TABLE_URL(server));
    expect(await page.evaluate(() => 'serviceWorker' in navigator)).toBe(false);
    await expect(page.getByRole('button', { name: 'Add Potato slices' })).toBeVisible();
    await server.stop();
    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['saved']);
    await server.restart();
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expectOrderStates(page, ['received']);
    expect(await server.openOrders()).toHaveLength(1);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('a new version deployed while an order waits: delivered once, and the page offers the update', async ({ browser }) => {
  // Two builds: the current one, and the same with a new version stamp.
  const { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dist = process.env.WENDAN_DIST ?? 'dist';
  const next = mkdtempSync(join(tmpdir(), 'wendan-next-'));
  cpSync(dist, next, { recursive: true });
  const worker = join(next, 'service-worker.js');
  writeFileSync(worker, readFileSync(worker, 'utf8').replace(/PRECACHE_VERSION = '([^']*)'/, "PRECACHE_VERSION = '$1-next'"));
  rmSync(`${worker}.br`, { force: true });
  rmSync(`${worker}.gz`, { force: true });

  const server = await WendanServer.start();
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  try {
    const page = await queueOrderWithServerDown(context, server);

    server.dist = next;
    await server.restart();
    await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
    const update = page.getByRole('button', { name: 'New version available — reload' });
    await expect(update).toBeVisible({ timeout: 15_000 });
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expectOrderStates(page, ['received']);

    // The new worker takes over and the page reloads under it.
    await Promise.all([page.waitForEvent('framenavigated'), update.click()]);
    await page.waitForLoadState('load');
    await expectOrderStates(page, ['received']);
    await expect.poll(() => page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return new URL(registration.active.scriptURL).pathname;
    })).toBe('/service-worker.js');
    expect(await server.openOrders()).toHaveLength(1);
  } finally {
    await context.close();
    await server.stop();
  }
});
