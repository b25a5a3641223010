// Screenshots of the admin pages (dashboard and tables' QR sheet) in en and
// zh-CN, into docs/screenshots/. The dashboard shows the made-up lunch rush
// that `wendan-server --demo --demo-rush` seeds (see README, "Admin").
// Needs Debian's fonts-noto-cjk. After `cargo xtask build`:
//   node tests/e2e/tools/admin-screenshots.mjs
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config.mjs';
import { ADMIN_TOKEN, WendanServer } from '../support/server.mjs';

const OUT = 'docs/screenshots';
// The QR codes name the address `cargo xtask demo` serves on.
const server = await WendanServer.start({ extraArgs: ['--demo-rush', '--public-url', 'http://127.0.0.1:8080'] });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  for (const [id, label, seats] of [['A1', '窗边 Window', 4], ['A2', null, 4], ['A3', null, 2], ['A12', '包间 Private room', 10], ['B1', null, 6], ['B2', null, 6]]) {
    await server.putTable(id, { label, seats });
  }
  // The rush is on the last finished lunch; the log names its day.
  const day = server.log.match(/see \/admin\?day=(\d{4}-\d{2}-\d{2})/)?.[1];
  for (const lang of ['en', 'zh-CN']) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1, locale: lang });
    const page = await context.newPage();
    await page.goto(`${server.url}/admin?token=${ADMIN_TOKEN}&lang=${lang}${day ? `&day=${day}` : ''}`);
    await page.locator('svg.chart').first().waitFor();
    await page.screenshot({ path: `${OUT}/${lang}-admin-dashboard.png`, fullPage: true });
    await page.goto(`${server.url}/admin/tables?lang=${lang}`);
    await page.locator('.qr-card').first().waitFor();
    await page.screenshot({ path: `${OUT}/${lang}-admin-tables.png`, fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: `${OUT}/${lang}-admin-qr-sheet-print.png`, fullPage: true });
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log(`admin screenshots written to ${OUT}/`);
