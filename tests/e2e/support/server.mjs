// Starts and stops a real wendan-server for a test: its own port and its own
// SQLite file, so tests can stop the server (not merely go "offline") and
// bring it back with the same orders.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER_BIN = process.env.WENDAN_SERVER_BIN ?? 'target/server/wendan-server';
const DIST = process.env.WENDAN_DIST ?? 'dist';
export const KITCHEN_TOKEN = 'e2e-kitchen-P5s9Dg3k';
export const ADMIN_TOKEN = 'e2e-admin-B8m2Wq6j';

/** A free loopback port, chosen by the kernel. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export class WendanServer {
  constructor({ port, dataDir, extraArgs = [], dist = DIST }) {
    this.dist = dist;
    this.port = port;
    this.dataDir = dataDir;
    this.extraArgs = extraArgs;
    this.url = `http://127.0.0.1:${port}`;
    this.child = null;
    this.log = '';
  }

  static async start(options = {}) {
    const port = options.port ?? (await freePort());
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wendan-e2e-'));
    const server = new WendanServer({ port, dataDir, extraArgs: options.extraArgs, dist: options.dist });
    await server.restart();
    return server;
  }

  /** (Re)starts the process on the same port and database. */
  async restart() {
    const args = [
      '--listen', `127.0.0.1:${this.port}`,
      '--database', `sqlite://${join(this.dataDir, 'orders.sqlite3')}`,
      // `dist: null`: no --static, the widget inside the binary (as released).
      ...(this.dist ? ['--static', this.dist] : []),
      ...(this.extraArgs.includes('--menu') ? [] : ['--demo']),
      '--kitchen-token', KITCHEN_TOKEN,
      '--admin-token', ADMIN_TOKEN,
      ...this.extraArgs,
    ];
    this.child = spawn(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => { this.log += chunk.toString(); };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    await this.waitUntilHealthy();
  }

  async waitUntilHealthy(timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`wendan-server exited with ${this.child.exitCode}:\n${this.log}`);
      }
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`wendan-server did not become healthy:\n${this.log}`);
  }

  /** Open orders, as the kitchen sees them: the truth on the server. */
  async openOrders() {
    const response = await fetch(`${this.url}/api/v1/kitchen/orders`, {
      headers: { Authorization: `Bearer ${KITCHEN_TOKEN}` },
    });
    if (!response.ok) throw new Error(`kitchen orders: ${response.status}`);
    return response.json();
  }

  /** The kitchen moves an order on. */
  async setStatus(orderId, status, reason) {
    const response = await fetch(`${this.url}/api/v1/kitchen/orders/${orderId}/status`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KITCHEN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ status, reason }),
    });
    if (!response.ok) throw new Error(`set status: ${response.status}`);
    return response.json();
  }

  /** Creates or replaces a table through the admin API. */
  async putTable(id, { label = null, seats = null } = {}) {
    const response = await fetch(`${this.url}/api/v1/admin/tables/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ label, seats }),
    });
    if (!response.ok) throw new Error(`put table: ${response.status}`);
    return response.json();
  }

  /** Table `id`'s QR link as the admin tables API lists it (`url`: the
   * table and its secret code), as a diner's phone opens it by scanning the
   * code on the table; `params` are added to it (`{ lang: 'en' }`). */
  async tableUrl(id, params = {}) {
    const response = await fetch(`${this.url}/api/v1/admin/tables`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    if (!response.ok) throw new Error(`tables: ${response.status}`);
    const table = (await response.json()).find((listed) => listed.id === id);
    if (!table) throw new Error(`no table ${id}`);
    const url = new URL(table.url);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.toString();
  }

  /** "New code" for table `id`: its printed link stops taking orders. */
  async newTableCode(id) {
    const response = await fetch(`${this.url}/api/v1/admin/tables/${encodeURIComponent(id)}/code`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    if (!response.ok) throw new Error(`new table code: ${response.status}`);
    return response.json();
  }

  /** Content-Security-Policy violation reports the server received (report-uri). */
  cspReports() {
    return this.log.split('\n').filter((line) => line.includes('CSP violation reported'));
  }

  /** Graceful stop (SIGTERM), as an operator would. Fails if a browser
   * reported a policy violation, unless the test provoked one on purpose. */
  async stop({ cspReportsExpected = false } = {}) {
    await this.#signal('SIGTERM');
    const reports = this.cspReports();
    if (!cspReportsExpected && reports.length > 0) {
      throw new Error(`Content-Security-Policy violations reported:\n${reports.join('\n')}`);
    }
  }

  /** A crash: SIGKILL, no chance to flush anything. */
  async kill() {
    await this.#signal('SIGKILL');
  }

  async #signal(signal) {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}
