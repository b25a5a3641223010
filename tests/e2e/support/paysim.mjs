// The payment sandbox (`wendan-paysim`) beside a real server: its own port
// and keys directory; the server is configured against it with
// --payment-sandbox, so the adapters run unchanged and no money is real.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, WendanServer } from './server.mjs';

const PAYSIM_BIN = process.env.WENDAN_PAYSIM_BIN ?? 'target/server/wendan-paysim';

export class Paysim {
  constructor({ port, keysDir, child }) {
    this.url = `http://127.0.0.1:${port}`;
    this.keysDir = keysDir;
    this.child = child;
    this.log = '';
  }

  /** Starts the sandbox; Stripe events go to the server at `serverPort`. */
  static async start(serverPort) {
    const port = await freePort();
    const keysDir = mkdtempSync(join(tmpdir(), 'wendan-paysim-'));
    const child = spawn(PAYSIM_BIN, [
      '--listen', `127.0.0.1:${port}`,
      '--keys-dir', keysDir,
      '--stripe-webhook-url', `http://127.0.0.1:${serverPort}/api/v1/payments/stripe/webhook`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sandbox = new Paysim({ port, keysDir, child });
    const keep = (chunk) => { sandbox.log += chunk.toString(); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`wendan-paysim exited:\n${sandbox.log}`);
      try {
        if ((await fetch(`${sandbox.url}/sandbox/ledger`)).ok) return sandbox;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`wendan-paysim did not start:\n${sandbox.log}`);
  }

  /** Every provider payment the sandbox holds. */
  async payments() {
    return (await (await fetch(`${this.url}/sandbox/ledger`)).json()).payments;
  }

  /**
   * Replaces the sandbox's faults for every payment (`paysim/src/faults.rs`:
   * each a probability, 0 never to 1 always); `{}` clears them.
   */
  async setFaults(faults) {
    const response = await fetch(`${this.url}/sandbox/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(faults),
    });
    if (response.status !== 204) throw new Error(`faults refused: ${response.status} ${await response.text()}`);
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** A pay-first restaurant with the sandbox's providers, and the sandbox. */
export async function startPayFirst(extraArgs = []) {
  const port = await freePort();
  const paysim = await Paysim.start(port);
  const server = await WendanServer.start({
    port,
    extraArgs: [
      '--payment', 'pay-first',
      '--payment-sandbox', paysim.keysDir,
      '--payment-sandbox-url', paysim.url,
      '--public-url', `http://127.0.0.1:${port}`,
      ...extraArgs,
    ],
  });
  return { server, paysim };
}
