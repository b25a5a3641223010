// HTTPS through the reference nginx configuration (deploy/nginx/wendan.conf,
// as shipped but for ports, certificate and upstream), on a name that is not
// localhost, with a self-signed certificate Chromium is told to trust: the
// service worker registers and controls the page, a diner orders and sees it
// received, and the kitchen's next step comes through nginx's unbuffered
// event stream as it happens.
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { test, expect } from './support/test.mjs';
import { CHROMIUM_ARGS } from './playwright.config.mjs';
import { WendanServer, freePort } from './support/server.mjs';
import { Nginx, firstStreamedBytes, httpsRequest, selfSignedCertificate } from './support/nginx.mjs';
import { addDishes, placeOrder, expectOrderStates } from './support/widget.mjs';

const HOST = 'order.wendan.test';
const SERVER_BIN = process.env.WENDAN_SERVER_BIN ?? 'target/server/wendan-server';
const certificate = selfSignedCertificate(HOST);

test.use({
  serviceWorkers: 'allow',
  launchOptions: {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      ...CHROMIUM_ARGS,
      `--ignore-certificate-errors-spki-list=${certificate.spkiHash}`,
      `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
    ],
  },
});

/** The server behind nginx, configured as deploy/nginx/wendan.conf says. */
async function behindNginx(serverArgs = []) {
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const publicUrl = `https://${HOST}:${httpsPort}`;
  const server = await WendanServer.start({
    extraArgs: ['--public-url', publicUrl, '--trust-forwarded-for', '--max-connections-per-address', '0', ...serverArgs],
  });
  const nginx = await Nginx.start({
    httpsPort,
    httpPort,
    certificate,
    upstreams: [new URL(server.url).host],
  });
  return { server, nginx, publicUrl, httpsPort, httpPort };
}

test('over HTTPS through nginx, the worker controls the page and an order is received, then followed live', async ({ page }) => {
  const { server, nginx, publicUrl, httpsPort } = await behindNginx();
  try {
    // The table's printed link names the public URL.
    const link = await server.tableUrl('A12', { lang: 'en' });
    expect(link.startsWith(`${publicUrl}/?table=A12&code=`)).toBe(true);
    const response = await page.goto(link);
    expect(response.headers()['strict-transport-security']).toBe('max-age=63072000');
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol)).toBe('h2');

    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return { scope: registration.scope, script: navigator.serviceWorker.controller.scriptURL };
    });
    expect(worker).toEqual({ scope: `${publicUrl}/`, script: `${publicUrl}/service-worker.js` });

    await addDishes(page, ['Potato slices']);
    await placeOrder(page);
    await expectOrderStates(page, ['received']);
    const [order] = await server.openOrders();
    expect(order.table).toBe('A12');

    // The order's event stream through nginx: its history at once, then the
    // kitchen's next step as it happens (buffered, nothing would arrive).
    await page.evaluate((id) => {
      window.streamed = [];
      const stream = new EventSource(`/api/v1/orders/${id}/events`);
      stream.addEventListener('status', (event) => window.streamed.push(JSON.parse(event.data).status));
    }, order.id);
    const streamed = () => page.evaluate(() => window.streamed);
    await expect.poll(streamed, { timeout: 3_000 }).toEqual(['received']);
    await server.setStatus(order.id, 'preparing');
    await expect.poll(streamed, { timeout: 3_000 }).toEqual(['received', 'preparing']);
    await expectOrderStates(page, ['preparing'], 5_000);
    // And to an HTTP/1.1 client (older phones, some web-views).
    const events = await firstStreamedBytes({ port: httpsPort, path: `/api/v1/orders/${order.id}/events`, certificate });
    expect(events).toContain('event: status');
  } finally {
    await nginx.stop();
    await server.stop();
  }
});

test('nginx sends plain HTTP to HTTPS, refuses bodies over the server limit with a problem document, and the doctor finds it healthy', async () => {
  const { server, nginx, httpsPort, httpPort } = await behindNginx();
  try {
    const redirect = await new Promise((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: httpPort, path: '/?table=A1', headers: { Host: HOST } }, (response) => {
        response.resume();
        resolve(response);
      }).on('error', reject).end();
    });
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe(`https://${HOST}/?table=A1`);

    const tooLarge = await httpsRequest({
      port: httpsPort,
      path: '/api/v1/orders',
      certificate,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'e2e-too-large-0001' },
      body: JSON.stringify({ note: 'x'.repeat(64 * 1024) }),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers['content-type']).toBe('application/problem+json');
    // nginx's answer: the server's own would add a `detail`, having read the body.
    expect(JSON.parse(tooLarge.body)).toEqual({
      type: '/problems/payload-too-large', title: 'The request body is too large', status: 413,
    });
    expect(await server.openOrders()).toEqual([]);

    // What an operator runs after setting up nginx (docs/deploy.md).
    const doctor = spawnSync(SERVER_BIN, [
      '--demo', '--database', `sqlite://${server.dataDir}/orders.sqlite3`,
      'doctor', '--url', `https://127.0.0.1:${httpsPort}/`, '--ca-file', certificate.cert,
    ], { env: { ...process.env, RUST_LOG: 'off' } });
    const said = doctor.stdout.toString();
    expect(doctor.status, said).toBe(0);
    expect(said).toMatch(/^ok +certificate +https:\/\/127\.0\.0\.1:\d+\/: the certificate is trusted$/m);
    expect(said).toMatch(/^ok +https +.*answers ok: the proxy reaches wendan-server$/m);
    expect(said).toMatch(/^ok +certificate +the certificate is valid until .* \(29 days\)$/m);
    expect(said).not.toContain('Strict-Transport-Security');
  } finally {
    await nginx.stop();
    await server.stop();
  }
});

test('through nginx, a diner cannot dodge the per-address order limit with an X-Forwarded-For of its own', async () => {
  const { server, nginx, httpsPort } = await behindNginx(['--orders-per-address-per-minute', '1']);
  try {
    const menu = JSON.parse((await httpsRequest({ port: httpsPort, path: '/api/v1/menu', certificate })).body);
    const tripe = menu.items.find((item) => item.id === 'beef-tripe');
    const code = new URL(await server.tableUrl('A1')).searchParams.get('code');
    const order = (device, claimed) => {
      const now = new Date().toISOString();
      return httpsRequest({
        port: httpsPort,
        path: '/api/v1/orders',
        certificate,
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': `e2e-forwarded-${device}-0001`,
          'X-Forwarded-For': claimed,
        },
        body: JSON.stringify({
          mode: 'dine_in',
          table: 'A1',
          table_code: code,
          items: [{ item_id: tripe.id, qty: 1, options: [] }],
          client: { device_id: device, created_at: now, sent_at: now, menu_version: menu.version, total_minor: tripe.price_minor },
        }),
      });
    };
    expect((await order('phone-a', '203.0.113.1')).status).toBe(201);
    // Another device claiming another address: nginx appends the address it
    // saw, the server takes that last entry, and it is the same diner.
    expect((await order('phone-b', '203.0.113.2')).status).toBe(429);
  } finally {
    await nginx.stop();
    await server.stop();
  }
});
