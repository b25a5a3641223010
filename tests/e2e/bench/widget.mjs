// Widget benchmarks in Debian's headless Chromium, run by `cargo xtask bench`:
//  - tap "Place order" → order durable in IndexedDB (User Timing measure), p50/p95 over N orders
//  - cold load to interactive under throttling (150 ms RTT, 1.6 Mbps, 4× CPU), median of 5
// Prints one JSON object on the last line.
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config.mjs';
import { WendanServer } from '../support/server.mjs';

const ORDERS = Number(process.env.WENDAN_BENCH_ORDERS ?? 200);
const COLD_RUNS = 5;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const server = await WendanServer.start();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  // Tap to durable.
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${server.url}/?lang=en&table=A1`);
  const add = page.getByRole('button', { name: 'Add Potato slices', exact: true });
  for (let i = 0; i < ORDERS; i++) {
    await add.click();
    await page.locator('.cart-button').click();
    await page.locator('dialog[open] .primary').click(); // Checkout
    await page.locator('dialog[open] .primary').click(); // Place order
    await page.waitForFunction((n) => performance.getEntriesByName('order-durable').length >= n, i + 1);
  }
  const durable = await page.evaluate(() => performance.getEntriesByName('order-durable').map((e) => e.duration));
  await page.close();

  // Cold load to interactive: a new context each run, so nothing is cached.
  const cold = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const cdpPage = await context.newPage();
    const cdp = await context.newCDPSession(cdpPage);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const started = Date.now();
    await cdpPage.goto(`${server.url}/?lang=en&table=A1`, { waitUntil: 'commit' });
    await cdpPage.getByRole('button', { name: 'Add Potato slices', exact: true }).waitFor({ timeout: 60_000 });
    cold.push(Date.now() - started);
    await context.close();
  }

  const result = {
    orders: durable.length,
    durable_p50_ms: percentile(durable, 50),
    durable_p95_ms: percentile(durable, 95),
    cold_load_runs_ms: cold,
    cold_load_median_ms: percentile(cold, 50),
    server_orders: (await server.openOrders()).length,
  };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.stop();
}
