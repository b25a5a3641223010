// End-to-end tests: the release widget served by the real server, driven in
// Debian's Chromium (tools never download browsers on this project's machines).
import { defineConfig } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.mjs',
  // Two cores: one browser at a time keeps timings honest.
  workers: 1,
  timeout: 30_000,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    // Tests of the page's own delivery intercept its requests; a service
    // worker would deliver around them. service-worker.spec.mjs makes its
    // own contexts, where workers run.
    serviceWorkers: 'block',
  },
});
