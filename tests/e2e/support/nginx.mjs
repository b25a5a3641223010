// nginx on loopback with the reference configuration, deploy/nginx/wendan.conf,
// as shipped: only the listening ports, the certificate paths and the upstream
// are replaced, and each replacement must match the file exactly, so the test
// fails if the shipped file changes under it. Plus a self-signed certificate
// for a non-localhost name, and HTTPS requests to it from Node.
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REFERENCE_CONFIG = 'deploy/nginx/wendan.conf';

/** A certificate for `host` (and 127.0.0.1), valid for 30 days, made with openssl;
 * `spkiHash` is what Chromium's --ignore-certificate-errors-spki-list takes. */
export function selfSignedCertificate(host) {
  const dir = mkdtempSync(join(tmpdir(), 'wendan-tls-'));
  // Made when a spec file loads, in every process that loads it: gone when it exits.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', `/CN=${host}`,
    '-addext', `subjectAltName=DNS:${host},IP:127.0.0.1`,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'extendedKeyUsage=serverAuth',
    '-days', '30', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  const spki = new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
  return { dir, cert, key, spkiHash: createHash('sha256').update(spki).digest('base64') };
}

/** Replaces `from` with `to`, which must occur exactly `times` times. */
function replaceExactly(text, from, to, times = 1) {
  const found = text.split(from).length - 1;
  if (found !== times) {
    throw new Error(`${REFERENCE_CONFIG}: expected ${times}× ${JSON.stringify(from)}, found ${found}; update tests/e2e/support/nginx.mjs`);
  }
  return text.split(from).join(to);
}

/** The shipped site configuration with this test's ports, certificate and upstreams. */
export function siteConfig({ httpsPort, httpPort, certificate, upstreams }) {
  let site = readFileSync(REFERENCE_CONFIG, 'utf8');
  site = replaceExactly(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`);
  site = replaceExactly(site, 'listen [::]:443 ssl http2;', '');
  site = replaceExactly(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  site = replaceExactly(site, 'listen [::]:80;', '');
  site = replaceExactly(site, '/etc/letsencrypt/live/order.example.com/fullchain.pem', certificate.cert);
  site = replaceExactly(site, '/etc/letsencrypt/live/order.example.com/privkey.pem', certificate.key);
  site = replaceExactly(
    site,
    'server 127.0.0.1:8080 max_fails=1 fail_timeout=3s;',
    upstreams.map((upstream) => `server ${upstream} max_fails=1 fail_timeout=3s;`).join('\n    '),
  );
  return site;
}

export class Nginx {
  /** Starts nginx in the foreground with the site configuration, its own
   * prefix, pid and temp files; waits until it accepts HTTPS. */
  static async start({ httpsPort, httpPort, certificate, upstreams }) {
    const dir = mkdtempSync(join(tmpdir(), 'wendan-nginx-'));
    const site = join(dir, 'wendan.conf');
    writeFileSync(site, siteConfig({ httpsPort, httpPort, certificate, upstreams }));
    const asRoot = process.getuid?.() === 0;
    writeFileSync(join(dir, 'nginx.conf'), `${asRoot ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${site};
}
`);
    const nginx = new Nginx();
    nginx.dir = dir;
    nginx.log = '';
    nginx.child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk) => { nginx.log += chunk.toString(); };
    nginx.child.stdout.on('data', keep);
    nginx.child.stderr.on('data', keep);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (nginx.child.exitCode !== null) throw new Error(`nginx exited:\n${nginx.log}\n${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      try {
        await httpsRequest({ port: httpsPort, path: '/healthz', certificate });
        return nginx;
      } catch {
        if (Date.now() > deadline) throw new Error(`nginx did not come up:\n${nginx.log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** SIGTERM: nginx's fast shutdown stops its workers too. */
  async stop() {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An HTTPS request to nginx on loopback, trusting only the test's certificate. */
export function httpsRequest({ port, path, certificate, method = 'GET', headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1', port, path, method, headers, ca: readFileSync(certificate.cert),
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString() }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The first bytes of an event stream through nginx over HTTP/1.1 (which,
 * unlike HTTP/2, holds small writes back while proxy buffering is on), or an
 * error if none come within `timeoutMs`. */
export function firstStreamedBytes({ port, path, certificate, timeoutMs = 3_000 }) {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream' }, ca: readFileSync(certificate.cert),
    }, (response) => {
      response.once('data', (chunk) => {
        clearTimeout(timer);
        outgoing.destroy();
        resolve(chunk.toString());
      });
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(new Error(`nothing streamed from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    outgoing.on('error', () => {});
    outgoing.end();
  });
}
