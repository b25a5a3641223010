// A restaurant's own website on another origin (another loopback port),
// embedding the widget with the loader exactly as the README says. It has a
// strict policy of its own, so the loader is shown to need no inline code.
// host.js records every `wendan:*` event from the widget's origin.
import { createServer } from 'node:http';
import { freePort } from './server.mjs';

function page(widgetUrl, attributes) {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` data-${name}="${value}"`)
    .join('');
  const filler = Array.from({ length: 40 }, (_, i) => `<p>Our story, part ${i + 1}.</p>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Shu Xiang Hotpot</title></head>
<body>
<h1>Shu Xiang Hotpot</h1>
${filler}
<script src="/host.js"></script>
<script src="${widgetUrl}/embed.js"${attrs} async></script>
</body>
</html>`;
}

function hostScript(widgetOrigin) {
  return `window.wendanEvents = [];
window.addEventListener('message', function (event) {
  if (event.origin !== ${JSON.stringify(widgetOrigin)}) return;
  if (event.data && typeof event.data.type === 'string') window.wendanEvents.push(event.data);
});`;
}

export class HostSite {
  /** Serves the host page on `port` (or a free one), embedding `widgetUrl`. */
  static async start({ widgetUrl, port, attributes = { table: 'A12', lang: 'en', label: 'Order' } }) {
    const chosen = port ?? (await freePort());
    const server = createServer((request, response) => {
      const policy = `default-src 'self'; script-src 'self' ${widgetUrl}; frame-src ${widgetUrl}; style-src 'self'`;
      if (request.url === '/host.js') {
        response.writeHead(200, { 'Content-Type': 'text/javascript', 'Content-Security-Policy': policy });
        response.end(hostScript(widgetUrl));
      } else {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': policy });
        response.end(page(widgetUrl, attributes));
      }
    });
    await new Promise((resolve) => server.listen(chosen, '127.0.0.1', resolve));
    const site = new HostSite();
    site.server = server;
    site.url = `http://127.0.0.1:${chosen}`;
    return site;
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The `wendan:*` events the host page has heard so far. */
export async function hostEvents(page) {
  return page.evaluate(() => window.wendanEvents);
}
