// The release binary carries the widget: with no --static, as the Debian
// package runs it, the widget is served from inside the binary with the
// same rules as from a directory, and content-hashed files are cached for
// a year while the shell, the service worker and the loader revalidate.
import { test, expect } from './support/test.mjs';
import { WendanServer } from './support/server.mjs';
import { addDishes, expectOrderStates, placeOrder } from './support/widget.mjs';

let server;
test.beforeAll(async () => { server = await WendanServer.start({ dist: null }); });
test.afterAll(async () => { await server?.stop(); });

test('a diner orders from the widget inside the binary', async ({ page }) => {
  await page.goto(await server.tableUrl('A12', { lang: 'en' }));
  await addDishes(page, ['Potato slices']);
  await placeOrder(page);
  await expectOrderStates(page, ['received']);
});

test('hashed files are cached for good, the rest revalidated, each in the encoding asked for', async ({ request }) => {
  const shell = await request.get(`${server.url}/`, { headers: { 'Accept-Encoding': 'br' } });
  expect(shell.status()).toBe(200);
  expect(shell.headers()['cache-control']).toBe('no-cache');
  expect(shell.headers()['content-type']).toContain('text/html');
  expect(shell.headers()['content-encoding']).toBe('br');
  expect(shell.headers()['vary']).toContain('accept-encoding');
  const html = await shell.text();

  // Every file the shell names by its hash is immutable.
  const hashed = [...html.matchAll(/(?:href|src)="\/([^"]+-[0-9a-f]{16}[^"]*)"/g)].map((match) => match[1]);
  expect(hashed.length).toBeGreaterThan(1);
  for (const name of hashed) {
    const file = await request.get(`${server.url}/${name}`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(file.status(), name).toBe(200);
    expect(file.headers()['cache-control'], name).toBe('public, max-age=31536000, immutable');
  }

  for (const name of ['service-worker.js', 'embed.js']) {
    const file = await request.get(`${server.url}/${name}`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(file.status(), name).toBe(200);
    expect(file.headers()['cache-control'], name).toBe('no-cache');
    expect(file.headers()['content-encoding'], name).toBeUndefined();
    expect(file.headers()['content-type'], name).toContain('javascript');
    // Revalidation costs a 304, not the file.
    const again = await request.get(`${server.url}/${name}`, {
      headers: { 'Accept-Encoding': 'identity', 'If-None-Match': file.headers()['etag'] },
    });
    expect(again.status(), name).toBe(304);
  }

  // The widget's routes get the shell; scanners' guesses do not.
  expect((await request.get(`${server.url}/table/A1`)).status()).toBe(200);
  expect((await request.get(`${server.url}/wp-login.php`)).status()).toBe(404);
  expect((await request.get(`${server.url}/.env`)).status()).toBe(404);
});
