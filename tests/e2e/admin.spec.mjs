// The restaurant owner's pages: logging in, the tables' QR sheet (one code
// per table, linking to the widget with ?table=), and the dashboard on the
// demo rush; no inline script or style, no serious axe violation.
import { test, expect } from './support/test.mjs';
import { expectNoSeriousViolations } from './support/axe.mjs';
import { ADMIN_TOKEN, WendanServer } from './support/server.mjs';

const PUBLIC_URL = 'https://order.example.com';
let server;
test.beforeAll(async () => {
  server = await WendanServer.start({ extraArgs: ['--demo-rush', '--public-url', PUBLIC_URL] });
});
test.afterAll(async () => { await server?.stop(); });

async function expectNoInlineCode(page) {
  const inline = await page.evaluate(() => ({
    scripts: document.querySelectorAll('script').length,
    styles: document.querySelectorAll('style').length,
    styleAttributes: document.querySelectorAll('[style]').length,
  }));
  expect(inline).toEqual({ scripts: 0, styles: 0, styleAttributes: 0 });
}

test('an admin logs in, adds tables and gets one QR code per table linking to the widget', async ({ page }) => {
  await page.goto(`${server.url}/admin/tables?lang=en`);
  await expect(page).toHaveURL(/\/admin\/login\?next=/);
  await page.getByLabel('Admin token').fill('wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(`${server.url}/admin/tables?lang=en`);

  for (const [id, label] of [['C12', 'Window'], ['C2', ''], ['D1', '']]) {
    await page.getByLabel('Table', { exact: true }).fill(id);
    await page.getByLabel('Label').fill(label);
    await page.getByRole('button', { name: 'Add or update a table' }).click();
  }
  // The demo restaurant's own twenty (A1–A12, B1–B8), then these in staff order.
  const cards = page.locator('.qr-card');
  await expect(cards).toHaveCount(23);
  await expect(cards.locator('.qr-table')).toHaveText([
    ...Array.from({ length: 12 }, (_, n) => `A${n + 1}`),
    ...Array.from({ length: 8 }, (_, n) => `B${n + 1}`),
    'C2', 'C12', 'D1',
  ]);
  for (const id of ['C2', 'C12', 'D1']) {
    const card = page.locator(`.qr-card[data-table="${id}"]`);
    await expect(card.locator('svg.qr')).toHaveCount(1);
    await expect(card.locator('svg.qr path')).toHaveAttribute('d', /^M/);
    // The printed link is the one the admin API lists: the table and its code.
    const listed = new URL(await server.tableUrl(id));
    expect(listed.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
    await expect(card.getByRole('link')).toHaveAttribute('href', listed.toString());
  }
  // "New code" reprints the table's card with a new link.
  const before = await page.locator('.qr-card[data-table="D1"]').getByRole('link').getAttribute('href');
  await page.getByRole('button', { name: 'New code D1' }).click();
  const after = page.locator('.qr-card[data-table="D1"]').getByRole('link');
  await expect(after).not.toHaveAttribute('href', before);
  await expect(after).toHaveAttribute('href', await server.tableUrl('D1'));
  // Each code is drawn big enough to scan from a printed sheet.
  const box = await cards.first().locator('svg.qr').boundingBox();
  expect(box.width).toBeGreaterThanOrEqual(120);
  await expectNoInlineCode(page);
  await expectNoSeriousViolations(page, 'tables');

  await page.getByRole('button', { name: 'Delete C2' }).click();
  await expect(cards).toHaveCount(22);
});

for (const lang of ['en', 'zh-CN', 'zh-TW']) {
  test(`the dashboard charts the demo rush (${lang})`, async ({ page }) => {
    const day = server.log.match(/see \/admin\?day=(\d{4}-\d{2}-\d{2})/)?.[1];
    expect(day).toBeTruthy();
    await page.goto(`${server.url}/admin?token=${ADMIN_TOKEN}&day=${day}&lang=${lang}`);
    // The token was exchanged for a cookie and dropped from the address.
    await expect(page).toHaveURL(`${server.url}/admin?day=${day}&lang=${lang}`);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expect(page.locator('svg.chart')).toHaveCount(6);
    await expect(page.locator('svg.chart').first().locator('rect').first()).toBeVisible();
    const orders = Number(await page.locator('[data-figure="orders"]').textContent());
    expect(orders).toBeGreaterThan(300);
    await expectNoInlineCode(page);
    await expectNoSeriousViolations(page, 'dashboard');
  });
}
