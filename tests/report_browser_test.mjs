// Opens a tailq HTML report in headless Chromium (Debian's, driven by playwright-core), fails on
// any console error or network request (the page must need nothing from outside), checks that
// every chart rendered marks, and saves a screenshot.
//   node tests/report_browser_test.mjs REPORT.html SCREENSHOT.png MIN_CHARTS
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [report, screenshot, minCharts] = process.argv.slice(2);
const problems = [];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push('request: ' + r.url());
  });
  await page.goto('file://' + path.resolve(report));
  await page.waitForFunction(
    (n) => document.querySelectorAll('.chart svg').length >= n, Number(minCharts),
    { timeout: 20000 });
  const charts = await page.$$eval('.chart', (divs) => divs.map((d) => ({
    id: d.id,
    marks: d.querySelectorAll('svg .mark-rect path, svg .mark-area path, svg .mark-line path, ' +
                              'svg .mark-rule line, svg .mark-symbol path, svg .mark-group path')
               .length,
  })));
  if (charts.length < Number(minCharts)) problems.push(`only ${charts.length} charts`);
  for (const c of charts) {
    if (c.marks === 0) problems.push(`chart ${c.id} has no marks`);
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify(charts));
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('1 passed, 0 failed');
