// The chaos suite's diners, driven by `cargo xtask chaos` (xtask/src/chaos/),
// which runs the fault proxy in front of the server and kills the server.
//
// Each diner is its own browser context in Debian's Chromium (half with the
// service worker, half in `?mode=webview` with service workers blocked). A
// diner opens the widget, places a few orders through the real UI, closes
// the page, and comes back later, until it has placed its share. A page that
// does not load is reloaded, as a diner would. When every order is placed
// this prints `chaos: placing done` (the faults stop), reopens every diner's
// page until each shows all its orders received (bounded), and writes what
// every widget holds to $CHAOS_OUT for the verifier.
import { chromium } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { CHROMIUM_ARGS } from '../e2e/playwright.config.mjs';

const BASE = process.env.CHAOS_URL;
// Each table's code (`C1=…,C2=…`), from the QR links the admin API listed.
const TABLE_CODES = new Map((process.env.CHAOS_TABLE_CODES ?? '').split(',').filter(Boolean).map((pair) => pair.split('=')));
const DINERS = Number(process.env.CHAOS_DINERS ?? 6);
const ORDERS = Number(process.env.CHAOS_ORDERS ?? 5);
const ACTIVE = Number(process.env.CHAOS_ACTIVE ?? 3);
const SEED = Number(process.env.CHAOS_SEED ?? 1);
const MIN_SECONDS = Number(process.env.CHAOS_MIN_SECONDS ?? 0);
const SETTLE_SECONDS = Number(process.env.CHAOS_SETTLE_SECONDS ?? 180);
const OUT = process.env.CHAOS_OUT ?? 'chaos-diners.json';

const ORDERS_PER_VISIT = 5;
const DISHES = ['Potato slices', 'Fresh beef tripe', 'Lotus root slices', 'Enoki mushrooms', 'Soft tofu', 'Winter melon'];
const RECEIVED = new Set(['received', 'preparing', 'ready', 'completed', 'cancelled']);
// Pauses between orders spread the placing over at least one round of faults.
const THINK_MAX_MS = Math.max(300, (2000 * MIN_SECONDS * ACTIVE) / (DINERS * ORDERS));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => console.log(`chaos: ${line}`);

/** mulberry32: a seeded choice of dishes and pauses, so runs repeat. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const counters = { reloads: 0, placeErrors: 0 };

class Diner {
  constructor(index) {
    this.index = index;
    this.serviceWorker = index % 2 === 0;
    this.taps = 0;
    this.random = seeded(SEED * 1000 + index);
    const mode = this.serviceWorker ? '' : '&mode=webview';
    const table = `C${index + 1}`;
    this.url = `${BASE}/?lang=en&table=${table}&code=${TABLE_CODES.get(table) ?? ''}${mode}`;
  }

  async init(browser) {
    this.context = await browser.newContext({
      serviceWorkers: this.serviceWorker ? 'allow' : 'block',
      viewport: { width: 390, height: 844 },
    });
  }

  /** A page showing the menu; reloads until it does, as a diner would. */
  async open() {
    const page = await this.context.newPage();
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await page.goto(this.url, { timeout: 20_000 });
        // A gateway error page (the proxy's 503) is no widget: reload.
        if (response && response.status() >= 500) throw new Error(`HTTP ${response.status()}`);
        await page.getByRole('button', { name: `Add ${DISHES[0]}`, exact: true }).waitFor({ timeout: 20_000 });
        return page;
      } catch (error) {
        if (attempt >= 40) {
          await page.close();
          throw new Error(`diner ${this.index}: the widget never loaded: ${error.message}`);
        }
        counters.reloads++;
        await sleep(1000);
      }
    }
  }

  /** One order through the UI: dishes, Cart, Checkout, Place order. */
  async placeOne(page) {
    const durable = () => page.evaluate(() => performance.getEntriesByName('order-durable').length);
    const before = await durable();
    const count = 1 + Math.floor(this.random() * 3);
    for (let i = 0; i < count; i++) {
      const dish = DISHES[Math.floor(this.random() * DISHES.length)];
      await page.getByRole('button', { name: `Add ${dish}`, exact: true }).click({ timeout: 10_000 });
    }
    await page.getByRole('button', { name: 'Cart' }).click({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Checkout' }).click({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Place order' }).click({ timeout: 10_000 });
    this.taps++;
    // Saved on the phone before anything else: the widget's own measure.
    await page.waitForFunction((n) => performance.getEntriesByName('order-durable').length > n, before, { timeout: 10_000 });
  }

  /** Opens the widget, places up to a few orders, closes the page. */
  async visit() {
    const page = await this.open();
    try {
      for (let placed = 0; placed < ORDERS_PER_VISIT && this.taps < ORDERS; placed++) {
        await this.placeOne(page);
        await sleep(this.random() * THINK_MAX_MS);
      }
    } catch (error) {
      counters.placeErrors++;
      log(`diner ${this.index}: ${error.message.split('\n')[0]} (reopening)`);
    } finally {
      await page.close().catch(() => {});
    }
  }

  /** Reopens the widget until it shows every order received, or the deadline. */
  async settle(deadline) {
    const page = await this.open();
    const read = () => page.locator('[data-order-key]').evaluateAll((cards) =>
      cards.map((card) => ({ key: card.dataset.orderKey, state: card.dataset.state })));
    let orders = await read();
    while (Date.now() < deadline && (orders.length < this.taps || orders.some((o) => !RECEIVED.has(o.state)))) {
      await sleep(500);
      orders = await read();
    }
    await page.close();
    return { diner: this.index, service_worker: this.serviceWorker, taps: this.taps, orders };
  }
}

/** Runs `work` for each item with at most `limit` at once. */
async function pool(items, limit, work) {
  const queue = [...items];
  const results = [];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length > 0) {
      const item = queue.shift();
      results.push(await work(item));
    }
  }));
  return results;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const started = Date.now();
  const diners = Array.from({ length: DINERS }, (_, index) => new Diner(index));
  for (const diner of diners) await diner.init(browser);
  log(`${DINERS} diners, ${ORDERS} orders each, ${ACTIVE} pages at a time, pauses up to ${Math.round(THINK_MAX_MS)} ms`);

  // Visits in turn until every diner has placed its orders.
  const waiting = () => diners.filter((diner) => diner.taps < ORDERS);
  let round = 0;
  while (waiting().length > 0) {
    if (++round > ORDERS * 4) throw new Error('diners could not place their orders');
    await pool(waiting(), ACTIVE, (diner) => diner.visit());
    log(`visits round ${round}: ${diners.reduce((sum, d) => sum + d.taps, 0)} orders placed`);
  }
  while (Date.now() - started < MIN_SECONDS * 1000) await sleep(250);
  log(`placed in ${((Date.now() - started) / 1000).toFixed(0)} s; reloads ${counters.reloads}, visits cut short ${counters.placeErrors}`);
  console.log('chaos: placing done');

  const deadline = Date.now() + SETTLE_SECONDS * 1000;
  const records = await pool(diners, ACTIVE * 2, (diner) => diner.settle(deadline));
  records.sort((a, b) => a.diner - b.diner);
  writeFileSync(OUT, JSON.stringify(records, null, 1));
  log(`settled in ${((Date.now() + SETTLE_SECONDS * 1000 - deadline) / 1000).toFixed(0)} s`);
} finally {
  await browser.close();
}
