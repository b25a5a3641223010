// Driving the widget as a diner would, through its accessible names.
import { expect } from '@playwright/test';

/** Adds each named dish (English names, `?lang=en`) once. */
export async function addDishes(page, names) {
  for (const name of names) {
    await page.getByRole('button', { name: `Add ${name}`, exact: true }).click();
  }
}

/** Opens the cart, reviews and places the order. */
export async function placeOrder(page) {
  await page.getByRole('button', { name: 'Cart' }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByRole('button', { name: 'Place order' }).click();
}

/** Opens the cart, gives the name for pickup, reviews and places the order. */
export async function placePickupOrder(page, name) {
  await page.getByRole('button', { name: 'Cart' }).click();
  const field = page.getByRole('textbox', { name: 'Name for pickup' });
  await field.fill(name);
  await field.blur();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByRole('button', { name: 'Place order' }).click();
}

/** data-state of every order in My orders, newest first. */
export async function orderStates(page) {
  return page.locator('[data-order-key]').evaluateAll((cards) => cards.map((card) => card.dataset.state));
}

export async function expectOrderStates(page, states, timeout = 15_000) {
  await expect.poll(() => orderStates(page), { timeout }).toEqual(states);
}
