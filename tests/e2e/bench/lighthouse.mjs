// Lighthouse on the diner's first visit, run by `cargo xtask bench`:
// Debian's Chromium, Lighthouse's mobile defaults (a mid-range phone on a
// slow 4G link, simulated), performance, accessibility and best practices;
// median of 5 runs. Prints one JSON object on the last line.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_ARGS } from '../playwright.config.mjs';
import { WendanServer } from '../support/server.mjs';

const RUNS = Number(process.env.WENDAN_LIGHTHOUSE_RUNS ?? 5);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const server = await WendanServer.start();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
});
const runs = [];
try {
  for (let run = 0; run < RUNS; run += 1) {
    const { lhr } = await lighthouse(`${server.url}/?lang=en`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    });
    const audit = (id) => lhr.audits[id]?.numericValue ?? Number.NaN;
    runs.push({
      performance: lhr.categories.performance.score,
      accessibility: lhr.categories.accessibility.score,
      best_practices: lhr.categories['best-practices'].score,
      lcp_ms: audit('largest-contentful-paint'),
      tbt_ms: audit('total-blocking-time'),
      cls: audit('cumulative-layout-shift'),
      fcp_ms: audit('first-contentful-paint'),
    });
    const failing = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && ['accessibility', 'best-practices'].some(
        (category) => lhr.categories[category].auditRefs.some((ref) => ref.id === a.id && ref.weight > 0),
      ))
      .map((a) => a.id);
    if (run === 0 && failing.length) console.log(`lighthouse: accessibility or best-practice audits not passed: ${failing.join(', ')}`);
  }
} finally {
  await chrome.kill();
  await server.stop();
}
const summary = Object.fromEntries(Object.keys(runs[0]).map((key) => [key, median(runs.map((r) => r[key]))]));
summary.runs = runs.length;
console.log(JSON.stringify(summary));
