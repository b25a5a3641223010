// Sample orders for the kitchen display's screenshots, placed through the
// real API. The total is asked from the server first (a `menu-changed`
// answer carries it), so the samples never go stale with menu prices.
import { randomUUID } from 'node:crypto';

const now = () => new Date().toISOString();

export const SAMPLE_ORDERS = [
  { mode: 'dine_in', table: 'A3', items: [
    { item_id: 'yuanyang-pot', qty: 1, options: ['pair-mushroom', 'spice-medium'] },
    { item_id: 'beef-tripe', qty: 2, options: [] },
    { item_id: 'fatty-beef', qty: 1, options: ['portion-full'], note: '对花生过敏 / peanut allergy' },
  ] },
  { mode: 'pickup', pickup_name: '王女士', items: [
    { item_id: 'dandan-noodles', qty: 2, options: ['extra-egg'] },
    { item_id: 'wanglaoji', qty: 2, options: ['temp-iced'] },
  ] },
  { mode: 'dine_in', table: 'B7', items: [
    { item_id: 'clear-oil-pot', qty: 1, options: ['spice-extra'] },
    { item_id: 'lamb-rolls', qty: 2, options: ['portion-half'] },
    { item_id: 'potato-slices', qty: 1, options: [] },
  ], note: '少放葱' },
  { mode: 'dine_in', table: 'A3', items: [
    { item_id: 'beef-tripe', qty: 1, options: [] },
    { item_id: 'snow-beer', qty: 4, options: ['temp-iced'] },
  ] },
];

/** Places `order` (without `client`) and returns the stored order; a
 * dine-in order carries its table's code, as scanned from its QR link. */
export async function placeSample(server, order) {
  const table_code = order.mode === 'dine_in' && order.table_code === undefined
    ? new URL(await server.tableUrl(order.table)).searchParams.get('code')
    : order.table_code;
  const send = async (total) => {
    const body = { ...order, table_code, client: { device_id: 'screenshots', created_at: now(), sent_at: now(), menu_version: 'unknown', total_minor: total } };
    const response = await fetch(`${server.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const quote = await send(0);
  if (quote.status === 201) return quote.body;
  if (quote.body.new_total_minor === undefined) throw new Error(`sample order refused: ${JSON.stringify(quote.body)}`);
  const placed = await send(quote.body.new_total_minor);
  if (placed.status !== 201) throw new Error(`sample order refused: ${JSON.stringify(placed.body)}`);
  return placed.body;
}
