// Request forgery from a page on another origin of the same site: the staff
// are logged in (their SameSite=Strict cookies are in the browser), and a
// page on another port of the same host posts forms to the server as soon
// as it loads. Cookies are per site, not per origin, so the browser sends
// them; the server must refuse, and nothing may change.
import { createServer } from 'node:http';
import { test, expect } from './support/test.mjs';
import { ADMIN_TOKEN, WendanServer, freePort } from './support/server.mjs';
import { openKitchen } from './support/kitchen.mjs';
import { placeSample } from './tools/kitchen-orders.mjs';

/** A page that posts `fields` to `action` on load (no policy: it is the attacker's). */
function autoPost(action, fields) {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Win a free hotpot</title></head>
<body><form method="post" action="${action}">${inputs}</form>
<script>document.forms[0].submit();</script></body></html>`;
}

/** The attacker's site on another loopback port, one page per forged form. */
async function startForgerySite(target) {
  const pages = {
    '/table': autoPost(`${target}/admin/tables`, { id: 'VIP', label: 'comped', seats: '2' }),
    '/undo': autoPost(`${target}/api/v1/kitchen/undo`, {}),
  };
  const server = createServer((request, response) => {
    const page = pages[request.url];
    response.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page ?? '');
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

async function adminTables(server) {
  const response = await fetch(`${server.url}/api/v1/admin/tables`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return response.json();
}

/** The answer to the forged POST that `page` makes when it opens `url`. */
async function forgedAnswer(page, url, target) {
  const [answer] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST' && response.url() === target),
    page.goto(url),
  ]);
  return answer;
}

test('a page on another port cannot post the staff\'s forms with their cookies', async ({ page }) => {
  const server = await WendanServer.start();
  const site = await startForgerySite(server.url);
  try {
    // The staff are logged in, in this browser: the kitchen display and the admin.
    await openKitchen(page, server);
    await page.goto(`${server.url}/admin?token=${ADMIN_TOKEN}`);
    await expect(page).toHaveURL(`${server.url}/admin`);
    const cookies = (await page.context().cookies(server.url)).map((cookie) => cookie.name);
    expect(cookies.length).toBeGreaterThanOrEqual(2);

    // An order the kitchen has bumped: undo would send it back to preparing.
    const order = await placeSample(server, {
      mode: 'dine_in', table: 'A1', items: [{ item_id: 'beef-tripe', qty: 1, options: [] }],
    });
    await server.setStatus(order.id, 'preparing');
    await server.setStatus(order.id, 'ready');
    // The demo's own tables (A1–A12, B1–B8): the forged form must add none.
    const tablesBefore = await adminTables(server);
    expect(tablesBefore.some((existing) => existing.id === 'VIP')).toBe(false);

    const table = await forgedAnswer(page, `${site.url}/table`, `${server.url}/admin/tables`);
    expect(table.status()).toBe(403);
    const undo = await forgedAnswer(page, `${site.url}/undo`, `${server.url}/api/v1/kitchen/undo`);
    expect(undo.status()).toBe(403);

    expect(await adminTables(server)).toEqual(tablesBefore);
    const open = await server.openOrders();
    expect(open.find((placed) => placed.id === order.id)?.status).toBe('ready');
  } finally {
    await site.stop();
    await server.stop();
  }
});
