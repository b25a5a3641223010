// The payment chaos's diners and its verifier, driven by `cargo xtask chaos
// --payments` (xtask/src/chaos/payments.rs), which kills the server (or a
// replica) with `kill -9` on a seeded schedule while this runs.
//
// `node payments.mjs pay`: pay-first pickup orders placed over HTTP as the
// widget places them (one key per order, retried unchanged), each paid with
// WeChat Pay (H5) or Alipay in the payment sandbox's wallet: some diners tap
// "Pay" several times at once, some decline first and pay again, some walk
// away, some come back to the page (which makes the server ask the
// provider). The sandbox misbehaves on a seeded schedule: notifications
// lost, sent twice, out of order, late, badly signed or with a wrong
// amount; queries that fail or hang; the diner's way back dropped after
// paying. Writes the placed orders to $CHAOS_OUT.
//
// `node payments.mjs verify` (after the xtask's reconciliation pass): the
// sandbox's ledger against what the server holds, printed as one JSON line
// `chaos-payments: {…}` of figures, all of which must be 0 except the counts.
import { readFileSync, writeFileSync } from 'node:fs';

const BASE = process.env.CHAOS_URL;
const PAYSIM = process.env.PAYSIM_URL;
const ORDERS = Number(process.env.CHAOS_ORDERS ?? 40);
const ACTIVE = Number(process.env.CHAOS_ACTIVE ?? 6);
const SEED = Number(process.env.CHAOS_SEED ?? 16);
const OUT = process.env.CHAOS_OUT ?? 'chaos-payments.json';
// Diners think (at the wallet, between taps) so that the run lasts at least
// this long and the server's kills land among the payments.
const MIN_SECONDS = Number(process.env.CHAOS_MIN_SECONDS ?? 30);
const THINK_MAX_MS = (2000 * MIN_SECONDS * ACTIVE) / ORDERS / 3;
const KITCHEN_TOKEN = 'demo-kitchen';
const COOKED = new Set(['received', 'preparing', 'ready', 'completed']);

/** mulberry32: a small seeded PRNG, so a seed replays the same diners. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rng = random(SEED);
const pick = (items) => items[Math.floor(rng() * items.length)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const think = () => sleep(rng() * THINK_MAX_MS);

/** Retries a request the way a phone does while the server is down. */
async function retrying(what, send, { attempts = 60, wait = 500 } = {}) {
  let last;
  for (let i = 0; i < attempts; i += 1) {
    try {
      const response = await send();
      if (response.status < 500 && response.status !== 429) return response;
      last = `${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(wait);
  }
  throw new Error(`${what}: gave up after ${attempts} tries (${last})`);
}

function key() {
  return `chaos-pay-${SEED}-${Math.floor(rng() * 1e12).toString(36)}-${Date.now().toString(36)}`;
}

async function placeOrder(menu, n) {
  const item = pick(menu.items.filter((i) => !i.sold_out && i.option_groups.every((g) => (g.min ?? 0) === 0)));
  const qty = 1 + Math.floor(rng() * 2);
  const now = new Date().toISOString();
  const body = JSON.stringify({
    mode: 'pickup',
    pickup_name: `Diner ${n}`,
    items: [{ item_id: item.id, qty, options: [] }],
    client: {
      device_id: `chaos-${SEED}-${n}`,
      created_at: now,
      sent_at: now,
      menu_version: menu.version,
      total_minor: item.price_minor * qty,
    },
  });
  const orderKey = key();
  const response = await retrying('place', () => fetch(`${BASE}/api/v1/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `"${orderKey}"` },
    body,
  }));
  if (response.status !== 201) throw new Error(`order ${n}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** "Pay": the answer's hand-over, or null when the server refused. */
async function askToPay(order, channel) {
  const response = await retrying('pay', () => fetch(`${BASE}/api/v1/orders/${order.id}/payments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `"${key()}"` },
    body: JSON.stringify(channel),
  }));
  if (response.status !== 200) return null;
  return (await response.json()).handoff ?? null;
}

/** Opens the provider's page (the sandbox's wallet) and taps `tap` there. */
async function tapWallet(handoff, tap) {
  if (handoff?.kind !== 'redirect') return;
  const page = await fetch(handoff.url, { redirect: 'follow' });
  await think();
  const wallet = new URL(page.url);
  if (!wallet.pathname.startsWith('/sandbox/wallet/')) return;
  const form = new URLSearchParams();
  const back = wallet.searchParams.get('redirect_url');
  if (back) form.set('redirect_url', back);
  // The way back to the shop is not followed: the diner's page may be gone.
  await fetch(`${wallet.origin}${wallet.pathname}/${tap}`, { method: 'POST', body: form, redirect: 'manual' })
    .catch(() => {});
}

async function diner(menu, n) {
  const order = await placeOrder(menu, n);
  await think();
  const channel = pick([{ channel: 'alipay_wap' }, { channel: 'wechat_h5', payer_client_ip: '' }, { channel: 'stripe_checkout' }]);
  const behaviour = pick(['pay', 'pay', 'pay', 'taps', 'decline-then-pay', 'walk-away']);
  if (behaviour === 'taps') {
    // Several taps at once (and, for the server, from several tabs).
    const handoffs = await Promise.all([1, 2, 3].map(() => askToPay(order, channel)));
    await tapWallet(handoffs.find(Boolean), 'pay');
  } else if (behaviour === 'decline-then-pay') {
    await tapWallet(await askToPay(order, channel), 'decline');
    await sleep(200 + rng() * 800);
    await tapWallet(await askToPay(order, channel), 'pay');
  } else if (behaviour === 'walk-away') {
    await askToPay(order, channel);
  } else {
    await tapWallet(await askToPay(order, channel), 'pay');
  }
  await think();
  if (rng() < 0.5) {
    // Back on the page: the server asks the provider.
    await retrying('return', () => fetch(`${BASE}/api/v1/orders/${order.id}/payment`), { attempts: 20 }).catch(() => {});
  }
  if (rng() < 0.15) await kitchenCancels(order);
  return { id: order.id, number: order.number, behaviour };
}

/** The kitchen cancels a paid order (sold out): its money goes back, once. */
async function kitchenCancels(order) {
  const held = await retrying('order', () => fetch(`${BASE}/api/v1/orders/${order.id}`), { attempts: 20 })
    .then((r) => r.json()).catch(() => null);
  if (!held || !COOKED.has(held.status)) return;
  await retrying('cancel', () => fetch(`${BASE}/api/v1/kitchen/orders/${order.id}/status`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KITCHEN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'cancelled', reason: 'sold out' }),
  }), { attempts: 20 }).catch(() => {});
}

async function pay() {
  const faults = {
    seed: SEED,
    lose_notification: 0.25,
    duplicate_notification: 0.2,
    out_of_order: 0.1,
    delay_notification_ms: 400,
    bad_signature: 0.1,
    wrong_amount: 0.05,
    query_timeout: 0.05,
    query_hang_ms: 3000,
    query_error: 0.1,
    drop_after_pay: 0.2,
  };
  const set = await fetch(`${PAYSIM}/sandbox/faults`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(faults),
  });
  if (!set.ok) throw new Error(`sandbox faults: ${set.status}`);
  // Stripe's webhook endpoint, as a restaurant registers it in Stripe's
  // dashboard: the restaurant's public address (nginx with replicas).
  const endpoint = await fetch(`${PAYSIM}/sandbox/stripe/webhook-endpoint`, {
    method: 'PUT', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: `${BASE}/api/v1/payments/stripe/webhook` }),
  });
  if (!endpoint.ok) throw new Error(`sandbox webhook endpoint: ${endpoint.status}`);
  const menu = await (await retrying('menu', () => fetch(`${BASE}/api/v1/menu`))).json();
  const placed = [];
  let next = 0;
  await Promise.all(Array.from({ length: ACTIVE }, async () => {
    while (next < ORDERS) {
      next += 1;
      placed.push(await diner(menu, next));
    }
  }));
  writeFileSync(OUT, JSON.stringify(placed));
  // The faults stop: what follows is the server's own follow-up.
  await fetch(`${PAYSIM}/sandbox/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  console.log(`chaos: paying done (${placed.length} orders)`);
}

async function verify() {
  const placed = JSON.parse(readFileSync(OUT, 'utf8'));
  const ledger = (await (await fetch(`${PAYSIM}/sandbox/ledger`)).json()).payments;
  const figures = {
    orders: placed.length, provider_payments: ledger.length, captures: 0, refunds: 0,
    paid_and_cooked: 0, refunded: 0, unpaid: 0,
    double_charges: 0, refunded_twice: 0, paid_orders_lost: 0, unpaid_cooked: 0, unpaid_on_board: 0, captures_of_no_order: 0,
    unknown_after_reconcile: 0, captures_by_provider: {},
  };
  const problems = [];
  const numbers = new Map(placed.map((order) => [order.number, order]));
  const byOrder = new Map();
  for (const payment of ledger) {
    figures.captures += payment.captures.length;
    figures.captures_by_provider[payment.provider] = (figures.captures_by_provider[payment.provider] ?? 0) + payment.captures.length;
    figures.refunds += payment.refunds.length;
    const number = Number(/#(\d+)/.exec(payment.description)?.[1]);
    if (!numbers.has(number)) {
      figures.captures_of_no_order += payment.captures.length;
      continue;
    }
    byOrder.set(number, [...(byOrder.get(number) ?? []), payment]);
  }
  for (const order of placed) {
    const [held, paid] = await Promise.all([
      fetch(`${BASE}/api/v1/orders/${order.id}`).then((r) => r.json()),
      fetch(`${BASE}/api/v1/orders/${order.id}/payment`).then((r) => r.json()),
    ]);
    const payments = byOrder.get(order.number) ?? [];
    const kept = payments.reduce((sum, p) => sum + p.captures.length - p.refunds.length, 0);
    const cooked = COOKED.has(held.status);
    if (kept > 1) { figures.double_charges += 1; problems.push(`#${order.number}: ${kept} captures kept`); }
    if (kept < 0) { figures.refunded_twice += 1; problems.push(`#${order.number}: more refunds than captures`); }
    if (kept === 1 && !cooked) { figures.paid_orders_lost += 1; problems.push(`#${order.number}: paid, but ${held.status}`); }
    if (cooked && kept !== 1) { figures.unpaid_cooked += 1; problems.push(`#${order.number}: ${held.status} with ${kept} captures`); }
    if (['pending', 'failed', 'refund_pending'].includes(paid.state)) {
      figures.unknown_after_reconcile += 1;
      problems.push(`#${order.number}: payment ${paid.state} after reconciliation`);
    }
    if (kept === 1 && cooked) figures.paid_and_cooked += 1;
    else if (kept === 0 && payments.some((p) => p.refunds.length)) figures.refunded += 1;
    else if (kept === 0) figures.unpaid += 1;
  }
  // The kitchen's board must not hold an unpaid order either.
  const board = await fetch(`${BASE}/api/v1/kitchen/orders`, { headers: { Authorization: `Bearer ${KITCHEN_TOKEN}` } })
    .then((r) => r.json());
  for (const open of board) {
    const order = numbers.get(open.number);
    if (order && !(byOrder.get(open.number) ?? []).some((p) => p.captures.length > p.refunds.length)) {
      figures.unpaid_on_board += 1;
      problems.push(`#${open.number} is on the board unpaid`);
    }
  }
  for (const problem of problems) console.log(`chaos-payments problem: ${problem}`);
  console.log(`chaos-payments: ${JSON.stringify(figures)}`);
}

const command = process.argv[2];
if (command === 'pay') await pay();
else if (command === 'verify') await verify();
else throw new Error('usage: node payments.mjs pay|verify');
