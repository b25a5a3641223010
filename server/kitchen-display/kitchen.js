// Wendan kitchen display: a thin adapter over GET /api/v1/kitchen/board.
//
// The server decides everything (add-on marks, all-day counts, allergy
// flags, when a timer turns yellow or red, what "undo" recalls); this page
// draws the board and sends the cook's actions. It keeps no ticket state of
// its own: any event on /api/v1/kitchen/events, and every (re)connection,
// re-reads the whole board, so a dropped connection can neither lose nor
// duplicate a ticket. No inline scripts or styles (the CSP forbids them).
//
// Checked by TypeScript (`tsc --noEmit`, strict, see tsconfig.json) and
// ESLint in `cargo xtask test`: the shapes below are the server's
// (`GET /api/v1/kitchen/board`, `server/src/kitchen/`).
// @ts-check
'use strict';

/**
 * @typedef {Record<string, string>} Localized
 * @typedef {{ name: Localized }} LineOption
 * @typedef {{ item_id: string, name: Localized, qty: number, options: LineOption[], note?: string | null }} Line
 * @typedef {{ id: string, number: number, status: string, table?: string | null, pickup_name?: string | null,
 *   note?: string | null, items: Line[] }} PlacedOrder
 * @typedef {{ action: string, status: string, primary?: boolean, needs_reason?: boolean }} TicketAction
 * @typedef {{ started_at: string, warn_at: string, late_at: string }} AgeTimer
 * @typedef {{ order: PlacedOrder, add_on_to?: number, allergy: boolean, allergy_lines: number[],
 *   allergy_order_note: boolean, timer: AgeTimer, actions: TicketAction[], seated_at?: string }} Ticket
 * @typedef {{ item_id: string, name: Localized, qty: number }} AllDayCount
 * @typedef {{ order_id: string, number: number, table?: string, pickup_name?: string, total: string,
 *   payment: string, says: string, can_settle: boolean }} AwaitingPayment
 * @typedef {{ id: string, table: string, opened_at: string, opened_by: string }} TableVisit
 * @typedef {{ order_id: string, number: number, status: string, total_minor: number, payment?: string,
 *   owed: boolean }} BillOrder
 * @typedef {{ visit: TableVisit, orders: BillOrder[], currency: string, total_minor: number,
 *   owed_minor: number }} TableBill
 * @typedef {{ id: string, table: string, visit_id: string, reason: string, order_number?: number,
 *   order_id?: string, called_at: string }} ServiceCall
 * @typedef {{ tickets: Ticket[], all_day: AllDayCount[], controls: { paused?: string | null },
 *   last_bumped?: number, server_time: string, awaiting_payment: AwaitingPayment[], tables: TableBill[],
 *   calls: ServiceCall[] }} Board
 * @typedef {{ id: string, name: Localized, sold_out: boolean }} MenuItem
 * @typedef {{ page: Record<string, string>, tables: Record<string, string>, calls: Record<string, string>,
 *   statuses: Record<string, string>, actions: Record<string, string> }} KitchenWords
 * @typedef {{ tag: string, name: string, words: KitchenWords }} PageLanguage
 */


/**
 * An element the page's HTML has, of the type the code needs.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`kitchen.html has no ${type.name} #${id}`);
  return node;
}
/** @param {string} id */
const $ = (id) => byId(id, HTMLElement);
/** @param {string} id */
const dialog = (id) => byId(id, HTMLDialogElement);
/** @param {string} id */
const input = (id) => byId(id, HTMLInputElement);
/** @param {string} id */
const button = (id) => byId(id, HTMLButtonElement);

/**
 * Every language with all its words, from the server's one dictionary per
 * language (`wendan-words`): this page keeps no words of its own.
 * @type {PageLanguage[]}
 */
const LANGUAGES = JSON.parse(byId('languages', HTMLScriptElement).textContent ?? '[]');

/**
 * @type {{ language: string, board: Board | null, clockOffset: number, selected: string | null,
 *   muted: boolean, known: Set<string> | null, source: EventSource | null, fetching: boolean, again: boolean,
 *   cancelling: { id: string, status: string } | null, audio: AudioContext | null,
 *   pending: Set<string>, moving: { visit: string, table: string } | null, calls: Set<string> | null }}
 */
const state = {
  language: chooseLanguage(),
  board: null,
  /** Milliseconds to add to this device's clock to get the server's. */
  clockOffset: 0,
  selected: null,
  muted: localStorage.getItem('wendan-kitchen-muted') === '1',
  known: null,
  source: null,
  fetching: false,
  again: false,
  cancelling: null,
  audio: null,
  /** The table actions sent and not yet answered (`settle:<visit id>`…): each is sent once. */
  pending: new Set(),
  /** The party whose "Move" form is open, and the table typed into it so far. */
  moving: null,
  /** The ids of the tables' calls already seen (null before the first board): each new one sounds once. */
  calls: null,
};

/**
 * The cook's earlier choice on this tablet, else what the server chose from
 * `?lang=` and the browser's languages (`<html lang>`).
 * @returns {string}
 */
function chooseLanguage() {
  const saved = localStorage.getItem('wendan-kitchen-lang');
  const asked = new URLSearchParams(location.search).has('lang');
  const known = LANGUAGES.find((language) => language.tag === saved);
  return !asked && known ? known.tag : document.documentElement.lang;
}

/** The words of the language shown. */
const words = () => (LANGUAGES.find((language) => language.tag === state.language) ?? LANGUAGES[0]).words;

/** @param {string} key */
const t = (key) => words().page[key] ?? key;

/**
 * A word of the Tables section (`words.tables`, the display's open tables).
 * @param {string} key
 */
const tw = (key) => words().tables?.[key] ?? key;

/**
 * A word of the Calls section (`words.calls`, the tables' calls); a
 * reason's word is under its wire word (`tc(call.reason)`).
 * @param {string} key
 */
const tc = (key) => words().calls?.[key] ?? key;

/**
 * A status's or a button's word, by its wire name.
 * @param {'statuses' | 'actions'} kind
 * @param {string} name
 */
const word = (kind, name) => words()[kind][name] ?? name;

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {Localized | undefined} names */
function localized(names) {
  if (!names) return '';
  // As the server's `Localized::get`: the language, else one of its
  // script's family (zh-TW reads zh-CN's name if that is all there is),
  // else English, else any.
  const primary = state.language.split('-')[0];
  const family = Object.entries(names).find(([tag]) => tag.split('-')[0] === primary)?.[1];
  return names[state.language] ?? family ?? names.en ?? Object.values(names)[0] ?? '';
}

// ---- talking to the server ------------------------------------------------

class Unauthorized extends Error {}

/** The server said no: its status and RFC 9457 problem (`type`, and `detail` as the message). */
class Refused extends Error {
  /**
   * @param {number} status
   * @param {string} type
   * @param {string} detail
   */
  constructor(status, type, detail) {
    super(detail);
    this.status = status;
    this.type = type;
  }
}

/** @param {unknown} error */
const message = (error) => (error instanceof Error ? error.message : String(error));

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok) {
    let detail = `${response.status}`;
    let type = '';
    try {
      const problem = await response.json();
      detail = problem.detail ?? detail;
      type = problem.type ?? '';
    } catch { /* not JSON */ }
    throw new Refused(response.status, type, detail);
  }
  return response.status === 204 ? null : response.json();
}

/**
 * Sends one of the cook's actions, then re-reads the board.
 * @param {string} path
 * @param {unknown} body
 */
async function act(path, body, method = 'POST') {
  try {
    await api(method, path, body);
    await refresh();
  } catch (error) {
    if (error instanceof Unauthorized) return showLogin();
    showConnection('error', t('failed') + message(error));
  }
}

/**
 * @param {string} id
 * @param {string} status
 * @param {string} [reason]
 */
const setStatus = (id, status, reason) => act(`/api/v1/kitchen/orders/${encodeURIComponent(id)}/status`, { status, reason });

/** Re-reads the board; calls made while one is in flight coalesce into one more. */
async function refresh() {
  if (state.fetching) { state.again = true; return; }
  state.fetching = true;
  try {
    do {
      state.again = false;
      const board = await api('GET', '/api/v1/kitchen/board');
      state.clockOffset = Date.parse(board.server_time) - Date.now();
      announceNew(board);
      state.board = board;
      render();
    } while (state.again);
  } catch (error) {
    if (error instanceof Unauthorized) showLogin();
    else showConnection('lost', t('lost'));
  } finally {
    state.fetching = false;
  }
}

function connect() {
  if (state.source) state.source.close();
  showConnection('connecting', t('connecting'));
  const source = new EventSource('/api/v1/kitchen/events');
  state.source = source;
  // Every (re)connection starts from a fresh board: events missed while
  // disconnected are in it, and nothing is applied twice.
  source.addEventListener('open', () => {
    showConnection('live', t('live'));
    refresh();
  });
  for (const kind of ['status', 'controls', 'resync']) source.addEventListener(kind, () => refresh());
  source.addEventListener('error', () => {
    showConnection('lost', t('lost'));
    // The browser retries by itself unless the stream was refused (e.g. 401).
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(() => { if (state.source === source) probeThenConnect(); }, 1000);
    }
  });
}

async function probeThenConnect() {
  try {
    await api('GET', '/api/v1/kitchen/board');
    connect();
  } catch (error) {
    if (error instanceof Unauthorized) showLogin();
    else setTimeout(probeThenConnect, 1000);
  }
}

/**
 * @param {string} kind
 * @param {string} text
 */
function showConnection(kind, text) {
  const line = $('connection');
  line.dataset.state = kind;
  line.textContent = text;
}

// ---- logging in -----------------------------------------------------------

/** @param {string} token */
async function logIn(token) {
  await api('POST', '/api/v1/kitchen/session', { token });
}

function showLogin() {
  if (state.source) { state.source.close(); state.source = null; }
  const login = dialog('login-dialog');
  if (!login.open) login.showModal();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await logIn(input('login-token').value);
    input('login-token').value = '';
    $('login-error').textContent = '';
    dialog('login-dialog').close();
    connect();
  } catch {
    $('login-error').textContent = t('wrongToken');
  }
});

// ---- drawing --------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = state.language;
  for (const node of document.querySelectorAll('[data-text]')) {
    if (node instanceof HTMLElement) node.textContent = t(node.dataset.text ?? '');
  }
  for (const node of document.querySelectorAll('[data-tables-text]')) {
    if (node instanceof HTMLElement) node.textContent = tw(node.dataset.tablesText ?? '');
  }
  for (const node of document.querySelectorAll('[data-calls-text]')) {
    if (node instanceof HTMLElement) node.textContent = tc(node.dataset.callsText ?? '');
  }
  for (const node of document.querySelectorAll('[data-label]')) {
    node.setAttribute('aria-label', t(node instanceof HTMLElement ? node.dataset.label ?? '' : ''));
  }
  const picker = byId('language', HTMLSelectElement);
  picker.replaceChildren(...LANGUAGES.map((language) => {
    const option = el('option', undefined, language.name);
    option.value = language.tag;
    option.lang = language.tag;
    option.selected = language.tag === state.language;
    return option;
  }));
  $('sound').textContent = state.muted ? t('soundOff') : t('soundOn');
  $('sound').setAttribute('aria-pressed', String(!state.muted));
  render();
}

function render() {
  const board = state.board;
  if (!board) return;
  const paused = board.controls.paused;
  $('pause').textContent = paused ? t('resume') : t('pause');
  $('pause').classList.toggle('danger', Boolean(paused));
  $('paused-banner').hidden = !paused;
  $('paused-banner').textContent = paused ? t('pausedBanner') + paused : '';
  button('undo').disabled = board.last_bumped === undefined;
  $('undo').textContent = board.last_bumped === undefined ? t('undo') : t('undoNumber') + board.last_bumped;

  const list = $('ticket-list');
  const ids = board.tickets.map((ticket) => ticket.order.id);
  if (state.selected !== null && !ids.includes(state.selected)) state.selected = null;
  list.replaceChildren(...board.tickets.map((ticket, index) => renderTicket(ticket, index)));
  $('no-tickets').hidden = board.tickets.length > 0;

  $('awaiting').hidden = board.awaiting_payment.length === 0;
  $('awaiting-list').replaceChildren(...board.awaiting_payment.map(renderAwaiting));

  renderCalls(board.calls ?? []);
  renderTables(board.tables ?? []);

  $('all-day-list').replaceChildren(...board.all_day.map((count) => {
    const item = el('li', 'count');
    item.dataset.itemId = count.item_id;
    item.append(el('span', 'count-qty', String(count.qty)), el('span', 'count-name', localized(count.name)));
    return item;
  }));
  tick();
}

/**
 * @param {Ticket} ticket
 * @param {number} index
 */
function renderTicket(ticket, index) {
  const { order } = ticket;
  const item = el('li', 'ticket');
  item.dataset.orderId = order.id;
  item.dataset.number = String(order.number);
  item.dataset.status = order.status;
  item.classList.toggle('selected', state.selected === order.id);
  item.classList.toggle('allergy', ticket.allergy);
  item.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('button')) return;
    select(order.id);
  });

  const head = el('header', 'ticket-head');
  if (index < 10) head.append(el('kbd', 'ticket-key', String((index + 1) % 10)));
  head.append(el('span', 'ticket-number', `#${order.number}`));
  // A party that moved (换桌) after ordering: the food goes where it sits now.
  const table = order.table && ticket.seated_at ? `${order.table} → ${ticket.seated_at}` : order.table;
  const where = table ? t('table') + table : t('pickup') + (order.pickup_name ?? '');
  head.append(el('span', 'ticket-where', where));
  if (ticket.seated_at) head.dataset.seatedAt = ticket.seated_at;
  const timer = el('time', 'ticket-timer');
  timer.dataset.started = ticket.timer.started_at;
  timer.dataset.warn = ticket.timer.warn_at;
  timer.dataset.late = ticket.timer.late_at;
  head.append(timer);
  item.append(head);

  const badges = el('p', 'ticket-badges');
  badges.append(el('span', `badge status-${order.status}`, word('statuses', order.status)));
  if (ticket.add_on_to !== undefined) badges.append(el('span', 'badge add-on', t('addOn') + ticket.add_on_to));
  if (ticket.allergy) badges.append(el('span', 'badge allergy-badge', t('allergy')));
  item.append(badges);

  const lines = el('ul', 'ticket-lines');
  for (const [index, line] of order.items.entries()) {
    const row = el('li', 'line');
    row.append(el('span', 'line-qty', `${line.qty}×`), el('span', 'line-name', localized(line.name)));
    if (line.options.length) {
      row.append(el('span', 'line-options', line.options.map((option) => localized(option.name)).join(' · ')));
    }
    if (line.note) row.append(noteNode(line.note, ticket.allergy_lines.includes(index)));
    lines.append(row);
  }
  item.append(lines);
  if (order.note) item.append(noteNode(t('orderNote') + order.note, ticket.allergy_order_note));

  // The buttons are the server's (`ticket.actions`, from the one transition
  // rule): this page knows no order states of its own.
  const actions = el('div', 'ticket-actions');
  for (const offered of ticket.actions) {
    const className = offered.primary ? 'primary' : offered.needs_reason ? 'danger quiet' : '';
    const node = el('button', className, word('actions', offered.action));
    node.type = 'button';
    node.dataset.action = offered.action;
    node.addEventListener('click', () => {
      if (offered.needs_reason) askCancel(order, offered.status);
      else setStatus(order.id, offered.status);
    });
    actions.append(node);
  }
  item.append(actions);
  return item;
}

/**
 * A pay-first order not yet paid: the counter's, not the cooks'. The server
 * says whether staff may take the money (not while the diner pays online).
 * @param {AwaitingPayment} waiting
 */
function renderAwaiting(waiting) {
  const item = el('li', 'awaiting-order');
  item.dataset.orderId = waiting.order_id;
  item.dataset.number = String(waiting.number);
  item.dataset.payment = waiting.payment;
  const where = waiting.table ? t('table') + waiting.table : t('pickup') + (waiting.pickup_name ?? '');
  item.append(
    el('span', 'ticket-number', `#${waiting.number}`),
    el('span', 'awaiting-where', where),
    el('span', 'awaiting-total', waiting.total),
    el('span', 'awaiting-says', t(waiting.says)),
  );
  if (waiting.can_settle) {
    const paid = el('button', 'primary', t('markPaid'));
    paid.type = 'button';
    paid.addEventListener('click', () => act(`/api/v1/kitchen/orders/${encodeURIComponent(waiting.order_id)}/paid`, {}));
    item.append(paid);
  }
  return item;
}

// ---- the tables' calls (催单, 呼叫服务员) -----------------------------------

/**
 * The Calls section: one entry per open call, oldest first, each with its
 * "Done" button; hidden while no table calls. The entries are redrawn on
 * every board; a "Done" button that had the focus keeps it, and when its
 * call leaves, the focus goes to the next call's.
 * @param {ServiceCall[]} calls
 */
function renderCalls(calls) {
  const active = document.activeElement;
  const focused = active instanceof HTMLElement && active.closest('#call-list') ? active.dataset.focusKey : undefined;
  $('calls').hidden = calls.length === 0;
  $('call-list').replaceChildren(...calls.map(renderCall));
  if (!focused) return;
  const buttons = [...document.querySelectorAll('#call-list button')].filter((node) => node instanceof HTMLElement);
  const same = buttons.find((node) => node.dataset.focusKey === focused);
  (same ?? buttons[0])?.focus();
}

/**
 * What a call asks for: its reason's word, and a hurry's order (`Hurry #12`).
 * @param {ServiceCall} call
 */
const callWhat = (call) => (call.order_number === undefined ? tc(call.reason) : `${tc(call.reason)} #${call.order_number}`);

/** @param {ServiceCall} call */
function renderCall(call) {
  const item = el('li', 'call');
  item.dataset.callId = call.id;
  item.dataset.table = call.table;
  item.dataset.reason = call.reason;
  const age = el('time', 'call-age');
  age.dateTime = call.called_at;
  age.dataset.called = call.called_at;
  age.textContent = callAge(call.called_at);
  item.append(
    el('span', 'call-table', t('table') + call.table),
    el('span', 'call-what', callWhat(call)),
    age,
    tableButton(tc('done'), `call:${call.id}`, 'call-done', () => {
      tableAct(`call:${call.id}`, `/api/v1/kitchen/calls/${encodeURIComponent(call.id)}/clear`, {}, 'calls-message');
    }),
  );
  return item;
}

/**
 * How long ago a call was made, in whole minutes by the server's clock
 * (`3 min`, `3分钟`: the browser's own words for the unit).
 * @param {string} calledAt
 */
function callAge(calledAt) {
  const minutes = Math.max(0, Math.floor((Date.now() + state.clockOffset - Date.parse(calledAt)) / 60_000));
  try {
    return new Intl.NumberFormat(state.language, { style: 'unit', unit: 'minute', unitDisplay: 'short' }).format(minutes);
  } catch {
    return `${minutes}′`;
  }
}

// ---- the open tables (开台 → 清台) ----------------------------------------

/**
 * Symbols and decimals as the server writes amounts (`wendan_protocol::money::format_minor`):
 * the board gives a bill's amounts in minor units only.
 * @type {Record<string, [string, number]>}
 */
const CURRENCIES = { CNY: ['¥', 2], USD: ['$', 2], EUR: ['€', 2], GBP: ['£', 2], JPY: ['¥', 0] };

/**
 * An amount as the server writes the counter strip's totals (`¥152.00`).
 * @param {number} minor
 * @param {string} currency
 */
function money(minor, currency) {
  const [symbol, decimals] = CURRENCIES[currency] ?? ['', 2];
  const sign = minor < 0 ? '-' : '';
  const prefix = symbol || `${currency} `;
  const magnitude = Math.abs(minor);
  if (decimals === 0) return `${sign}${prefix}${magnitude}`;
  const unit = 10 ** decimals;
  return `${sign}${prefix}${Math.floor(magnitude / unit)}.${String(magnitude % unit).padStart(decimals, '0')}`;
}

/**
 * The Tables section: one row per open table with its bill, and the form
 * that opens one by hand. The rows are redrawn on every board; the button
 * or field that had the focus keeps it, and a half-typed move keeps its text.
 * @param {TableBill[]} bills
 */
function renderTables(bills) {
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.focusKey : undefined;
  if (state.moving && !bills.some((bill) => bill.visit.id === state.moving?.visit)) state.moving = null;
  $('no-tables').hidden = bills.length > 0;
  $('table-list').replaceChildren(...bills.map(renderTable));
  button('open-table-submit').setAttribute('aria-disabled', String(state.pending.has('open')));
  if (focused) focusTableControl(focused);
}

/**
 * Puts the focus back on a control of the Tables section after a redraw.
 * @param {string} key its `data-focus-key`
 */
function focusTableControl(key) {
  for (const node of document.querySelectorAll('#table-list [data-focus-key]')) {
    if (!(node instanceof HTMLElement) || node.dataset.focusKey !== key) continue;
    node.focus();
    // A half-typed table: the caret where it was typing, at the end.
    if (node instanceof HTMLInputElement) node.setSelectionRange(node.value.length, node.value.length);
    return;
  }
}

/**
 * A button of the Tables section. While its action is on its way it says
 * so (`aria-disabled`, keeping the focus) and ignores more presses.
 * @param {string} text
 * @param {string} key the action (`settle:<visit id>`), also its focus key
 * @param {string} className
 * @param {() => void} onPress
 */
function tableButton(text, key, className, onPress) {
  const node = el('button', className, text);
  node.type = 'button';
  node.dataset.focusKey = key;
  node.setAttribute('aria-disabled', String(state.pending.has(key)));
  node.addEventListener('click', () => { if (!state.pending.has(key)) onPress(); });
  return node;
}

/** @param {TableBill} bill */
function renderTable(bill) {
  const { visit } = bill;
  const id = encodeURIComponent(visit.id);
  const item = el('li', 'table-bill');
  item.dataset.visitId = visit.id;
  item.dataset.table = visit.table;
  item.dataset.openedBy = visit.opened_by;
  item.dataset.owedMinor = String(bill.owed_minor);

  const since = el('time', 'table-since', new Date(visit.opened_at).toLocaleTimeString(state.language, {
    hour: '2-digit', minute: '2-digit',
  }));
  since.dateTime = visit.opened_at;
  const opened = el('span', 'table-opened', `${tw('openSince')} `);
  opened.append(since);
  const owed = bill.owed_minor > 0
    ? el('span', 'table-owed', `${tw('owed')} ${money(bill.owed_minor, bill.currency)}`)
    : el('span', 'table-owed paid-up', tw('paidUp'));
  item.append(
    el('span', 'table-name', t('table') + visit.table),
    opened,
    el('span', 'table-rounds', `${tw('rounds')} ${bill.orders.length}`),
    el('span', 'table-total', money(bill.total_minor, bill.currency)),
    owed,
  );

  const actions = el('div', 'table-actions');
  if (bill.owed_minor > 0) {
    actions.append(tableButton(tw('settle'), `settle:${visit.id}`, 'primary', () => {
      tableAct(`settle:${visit.id}`, `/api/v1/kitchen/visits/${id}/settle`);
    }));
  }
  const moving = state.moving?.visit === visit.id;
  const move = tableButton(tw('moveTo'), `move:${visit.id}`, '', () => {
    state.moving = moving ? null : { visit: visit.id, table: '' };
    render();
    if (state.moving) focusTableControl(`move-to:${visit.id}`);
  });
  move.setAttribute('aria-expanded', String(moving));
  actions.append(move, tableButton(tw('clear'), `clear:${visit.id}`, 'danger quiet', () => {
    tableAct(`clear:${visit.id}`, `/api/v1/kitchen/visits/${id}/clear`);
  }));
  item.append(actions);
  if (moving) item.append(moveForm(visit));
  return item;
}

/**
 * "Move to table": where the party goes (换桌), typed in (no list of the
 * restaurant's tables reaches the display); Escape or Back closes it.
 * @param {TableVisit} visit
 */
function moveForm(visit) {
  const form = el('form', 'move-form');
  const label = el('label');
  const field = el('input');
  field.id = `move-to-${visit.id}`;
  field.name = 'table';
  field.required = true;
  field.autocomplete = 'off';
  field.autocapitalize = 'characters';
  field.dataset.focusKey = `move-to:${visit.id}`;
  field.value = state.moving?.table ?? '';
  field.addEventListener('input', () => { if (state.moving) state.moving.table = field.value; });
  label.append(el('span', undefined, tw('moveWhere')), field);
  const send = el('button', 'primary', tw('moveTo'));
  send.type = 'submit';
  send.dataset.focusKey = `move-send:${visit.id}`;
  send.setAttribute('aria-disabled', String(state.pending.has(`move:${visit.id}`)));
  const back = el('button', undefined, t('back'));
  back.type = 'button';
  const close = () => {
    state.moving = null;
    render();
    focusTableControl(`move:${visit.id}`);
  };
  back.addEventListener('click', close);
  form.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const table = field.value.trim();
    if (!table || state.pending.has(`move:${visit.id}`)) return;
    const moved = await tableAct(`move:${visit.id}`, `/api/v1/kitchen/visits/${encodeURIComponent(visit.id)}/move`, { table });
    if (moved && state.moving?.visit === visit.id) {
      state.moving = null;
      render();
      focusTableControl(`move:${visit.id}`);
    }
  });
  form.append(label, send, back);
  return form;
}

/**
 * One of the Tables (or Calls) section's actions: sent once (more presses
 * wait for its answer), then the board re-read (its live event comes too).
 * A refusal is said in the section's live region.
 * @param {string} key
 * @param {string} path
 * @param {unknown} [body]
 * @param {string} [messageId] the section's live region
 * @returns {Promise<boolean>} whether the server took it
 */
async function tableAct(key, path, body = {}, messageId = 'tables-message') {
  if (state.pending.has(key)) return false;
  state.pending.add(key);
  render();
  let done = false;
  try {
    await api('POST', path, body);
    $(messageId).textContent = '';
    done = true;
  } catch (error) {
    if (error instanceof Unauthorized) showLogin();
    else $(messageId).textContent = refusal(key, error);
  } finally {
    state.pending.delete(key);
    render();
  }
  await refresh();
  return done;
}

/**
 * What a refused table action means for staff.
 * @param {string} key
 * @param {unknown} error
 */
function refusal(key, error) {
  if (error instanceof Refused && error.status === 409) {
    if (error.type.endsWith('/payment-refused')) return tw('payingOnlineNow');
    // A move onto a table with its own party (two parties are never merged).
    if (key.startsWith('move:') && error.type.endsWith('/invalid-transition')) return tw('tableTaken');
  }
  return t('failed') + message(error);
}

$('open-table-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const table = input('open-table-id').value.trim();
  if (!table) return;
  if (await tableAct('open', `/api/v1/kitchen/tables/${encodeURIComponent(table)}/open`)) input('open-table-id').value = '';
});

/** A diner's note; one that mentions an allergy (the server says which) stands out. */
/**
 * @param {string} text
 * @param {boolean} allergy
 */
function noteNode(text, allergy) {
  const note = el('p', allergy ? 'note allergy-note' : 'note', allergy ? `${t('allergy')} · ${text}` : text);
  return note;
}

/** Updates every timer and its colour from the server's thresholds. */
function tick() {
  const now = Date.now() + state.clockOffset;
  for (const timer of document.querySelectorAll('time.ticket-timer')) {
    if (!(timer instanceof HTMLElement)) continue;
    const { started = '', warn = '', late = '' } = timer.dataset;
    const seconds = Math.max(0, Math.floor((now - Date.parse(started)) / 1000));
    timer.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    const age = now >= Date.parse(late) ? 'late' : now >= Date.parse(warn) ? 'warning' : 'fresh';
    const ticket = timer.closest('.ticket');
    if (ticket instanceof HTMLElement) ticket.dataset.age = age;
  }
  for (const age of document.querySelectorAll('time.call-age')) {
    if (age instanceof HTMLElement) age.textContent = callAge(age.dataset.called ?? '');
  }
}
setInterval(tick, 1000);
// Choosing to pay at the counter moves no order, so no event says it: while
// orders wait for payment, the board is re-read now and then.
// A table's bill changes too when a diner pays online for a round.
setInterval(() => {
  const board = state.board;
  if (board && (board.awaiting_payment.length || board.tables?.some((bill) => bill.owed_minor > 0))) refresh();
}, 15_000);

/** @param {string} id */
function select(id) {
  state.selected = id;
  for (const node of document.querySelectorAll('li.ticket')) {
    if (!(node instanceof HTMLElement)) continue;
    node.classList.toggle('selected', node.dataset.orderId === id);
    if (node.dataset.orderId === id) node.scrollIntoView({ block: 'nearest' });
  }
}

// ---- sound ----------------------------------------------------------------

/**
 * A new ticket, or a table's new call, sounds (once per board read); a new
 * call is also said in the calls' live region. The first board after the
 * page loads is only remembered.
 * @param {Board} board
 */
function announceNew(board) {
  const ids = new Set(board.tickets.map((ticket) => ticket.order.id));
  const known = state.known;
  const fresh = known !== null && board.tickets.some((ticket) => !known.has(ticket.order.id) && ticket.order.status === 'received');
  state.known = ids;
  const calls = board.calls ?? [];
  const seen = state.calls;
  const called = seen === null ? [] : calls.filter((call) => !seen.has(call.id));
  // The calls on the board are the ones to remember: a cleared call never comes back.
  state.calls = new Set(calls.map((call) => call.id));
  if (called.length) {
    $('calls-announce').textContent = called
      .map((call) => `${tc('heading')}: ${t('table')}${call.table}, ${callWhat(call)}`).join('. ');
  }
  if ((fresh || called.length) && !state.muted) beep();
}

/** Two short tones, made here: no sound file to load or cache. */
function beep() {
  try {
    state.audio ??= new AudioContext();
    const audio = state.audio;
    for (const [offset, frequency] of [[0, 880], [0.18, 1175]]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.3, audio.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + offset + 0.15);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + offset);
      tone.stop(audio.currentTime + offset + 0.16);
    }
  } catch {
    // No audio device: the ticket still appears.
  }
}

// Browsers start audio only after a gesture: any tap or key unlocks it.
const unlockAudio = () => {
  if (state.muted) return;
  state.audio ??= new AudioContext();
  state.audio.resume().catch(() => {});
};
document.addEventListener('pointerdown', unlockAudio, { once: true });
document.addEventListener('keydown', unlockAudio, { once: true });

$('sound').addEventListener('click', () => {
  state.muted = !state.muted;
  localStorage.setItem('wendan-kitchen-muted', state.muted ? '1' : '0');
  if (!state.muted) unlockAudio();
  applyLanguage();
});

// ---- dialogs and switches -------------------------------------------------

/**
 * Asks for the reason the diner is told, then sends `status`.
 * @param {PlacedOrder} order
 * @param {string} status
 */
function askCancel(order, status) {
  state.cancelling = { id: order.id, status };
  $('cancel-title').textContent = t('cancelTitle') + order.number;
  input('cancel-reason').value = '';
  dialog('cancel-dialog').showModal();
}
$('cancel-back').addEventListener('click', () => dialog('cancel-dialog').close());
$('cancel-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const reason = input('cancel-reason').value.trim();
  if (!reason || !state.cancelling) return;
  dialog('cancel-dialog').close();
  setStatus(state.cancelling.id, state.cancelling.status, reason);
  state.cancelling = null;
});

$('pause').addEventListener('click', () => {
  if (state.board?.controls.paused) {
    act('/api/v1/kitchen/intake', { paused: false }, 'PUT');
    return;
  }
  input('pause-message').value = t('pauseDefault');
  dialog('pause-dialog').showModal();
});
$('pause-back').addEventListener('click', () => dialog('pause-dialog').close());
$('pause-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const message = input('pause-message').value.trim();
  if (!message) return;
  dialog('pause-dialog').close();
  act('/api/v1/kitchen/intake', { paused: true, message }, 'PUT');
});

$('items').addEventListener('click', async () => {
  try {
    /** @type {{ items: MenuItem[] }} */
    const menu = await api('GET', '/api/v1/menu');
    $('item-list').replaceChildren(...menu.items.map((item) => {
      const row = el('li', 'item-row');
      const label = el('label');
      const box = el('input');
      box.type = 'checkbox';
      box.checked = item.sold_out;
      box.dataset.itemId = item.id;
      const status = el('span', 'item-status', item.sold_out ? t('markedSoldOut') : t('available'));
      box.addEventListener('change', async () => {
        status.textContent = box.checked ? t('markedSoldOut') : t('available');
        await act(`/api/v1/kitchen/items/${encodeURIComponent(item.id)}/sold-out`, { sold_out: box.checked }, 'PUT');
      });
      label.append(box, el('span', 'item-name', localized(item.name)), status);
      row.append(label);
      return row;
    }));
    dialog('items-dialog').showModal();
  } catch (error) {
    showConnection('error', t('failed') + message(error));
  }
});

// The API takes only JSON (a form from another site cannot send it): `{}`.
const undo = () => act('/api/v1/kitchen/undo', {});

$('undo').addEventListener('click', undo);

byId('language', HTMLSelectElement).addEventListener('change', (event) => {
  if (!(event.target instanceof HTMLSelectElement)) return;
  state.language = event.target.value;
  localStorage.setItem('wendan-kitchen-lang', state.language);
  applyLanguage();
});

// ---- the bump bar ---------------------------------------------------------

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector('dialog[open]')) return;
  if (event.target instanceof Element && event.target.closest('input, textarea, select')) return;
  // Enter on a button of the Tables section presses that button, not the bump bar's.
  // So does Enter on a call's "Done".
  if (event.key === 'Enter' && event.target instanceof Element && event.target.closest('#tables button, #calls button')) return;
  const tickets = state.board?.tickets ?? [];
  if (/^[0-9]$/.test(event.key)) {
    const index = (Number(event.key) + 9) % 10; // 1 → first … 0 → tenth
    if (tickets[index]) select(tickets[index].order.id);
    event.preventDefault();
  } else if (event.key === 'Enter' && state.selected) {
    const ticket = tickets.find((candidate) => candidate.order.id === state.selected);
    const primary = ticket?.actions.find((offered) => offered.primary);
    if (!ticket || !primary) return;
    setStatus(ticket.order.id, primary.status);
    event.preventDefault();
  } else if (event.key === 'u' || event.key === 'U') {
    undo();
    event.preventDefault();
  }
});

// ---- start ----------------------------------------------------------------

async function start() {
  applyLanguage();
  // `cargo xtask demo` prints /kitchen#token=…: the fragment never reaches
  // the server (nor its logs); it is traded for the session cookie at once.
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) {
    history.replaceState(null, '', location.pathname + location.search);
    try { await logIn(token); } catch { /* the login form says so below */ }
  }
  probeThenConnect();
}
start();
