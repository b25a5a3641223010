// Every end-to-end test runs with the server's Content-Security-Policy on and
// fails on any violation: a listener for `securitypolicyviolation` in every
// frame of every context (the widget's iframe on a host page too) reports to
// the test. The server also logs the reports it receives (report-uri), and
// WendanServer.stop() fails on any, for what the DOM event cannot see.
import { test as base, expect } from '@playwright/test';

const BINDING = '__wendanCspViolation';
const guarded = new WeakSet();

async function guard(context, violations) {
  if (guarded.has(context)) return;
  guarded.add(context);
  await context.exposeBinding(BINDING, (_source, violation) => violations.push(violation));
  await context.addInitScript((binding) => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window[binding]({
        page: location.href,
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        sample: event.sample,
      });
    });
  }, BINDING);
}

export const test = base.extend({
  /** Violations seen so far; a test that provokes one on purpose removes it. */
  cspViolations: [async ({}, use) => { await use([]); }, { scope: 'test' }],

  context: async ({ context, cspViolations }, use) => {
    await guard(context, cspViolations);
    await use(context);
  },

  cspGuard: [
    async ({ browser, cspViolations }, use) => {
      // Contexts a test makes itself are guarded too.
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const context = await newContext(options);
        await guard(context, cspViolations);
        return context;
      };
      await use();
      browser.newContext = newContext;
      expect(cspViolations, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
