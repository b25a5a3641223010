// Driving the kitchen display as a cook (or a bump bar) would.
import { expect } from '@playwright/test';
import { KITCHEN_TOKEN } from './server.mjs';

/** Opens /kitchen logged in through the URL fragment, as `cargo xtask demo` prints it. */
export async function openKitchen(page, server, lang = 'en') {
  await page.goto(`${server.url}/kitchen?lang=${lang}#token=${KITCHEN_TOKEN}`);
  await expect(page.locator('#connection')).toHaveAttribute('data-state', 'live');
}

/** The order numbers of the tickets on the display, in order. */
export async function ticketNumbers(page) {
  return page.locator('.ticket').evaluateAll((tickets) => tickets.map((ticket) => Number(ticket.dataset.number)));
}
