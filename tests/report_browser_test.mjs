// Opens a tailq HTML page in headless Chromium (Debian's, driven by playwright-core) at a desktop
// (1300 px) and a laptop (800 px) width, fails on any console error or network request (the page
// must need nothing from outside), and checks what a reader sees first: every chart rendered
// marks, takes at least 70% of the window's width, names every line, band and colour in a legend
// or a label on the chart, and a time axis shows where the measured times lie (its domain covers
// them and they span at least half the plot). Saves a screenshot per width (NAME-1300.png, ...).
// REQUIRED_IDS (comma-separated, optional) names charts that must be among those rendered.
//   node tests/report_browser_test.mjs PAGE.html SCREENSHOT.png MIN_CHARTS [REQUIRED_IDS]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [report, screenshot, minCharts, requiredIds = ''] = process.argv.slice(2);
const problems = [];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Runs in the page: what each chart shows, read from the rendered views and their specs.
function inspect() {
  const specs = Object.fromEntries(
    JSON.parse(document.getElementById('tailq-charts').textContent).map((c) => [c.id, c.spec]));
  return [...document.querySelectorAll('.chart')].map((d) => {
    const spec = specs[d.id];
    const view = (window.tailqViews || {})[d.id];
    const svg = d.querySelector('svg');
    const out = {
      id: d.id,
      marks: d.querySelectorAll('svg .mark-rect path, svg .mark-area path, svg .mark-line path, ' +
                                'svg .mark-rule line, svg .mark-symbol path, svg .mark-group path')
        .length,
      width: svg ? svg.getBoundingClientRect().width : 0,
      legend: [...d.querySelectorAll('.role-legend-label text')].map((t) => t.textContent),
      unexplained: [],
    };
    // Every drawn layer names its colour in a legend, or is a rule labelled by a text layer.
    const layers = spec.layer || [spec];
    const texts = layers.filter((l) => (l.mark.type || l.mark) === 'text').map((l) => l.data?.name);
    layers.forEach((l, i) => {
      const type = l.mark.type || l.mark;
      if (type === 'text') return;
      const color = l.encoding?.color || spec.encoding?.color;
      if (color && color.legend !== null) {
        if (color.datum && !out.legend.some((t) => t.startsWith(String(color.datum).slice(0, 20)))) {
          out.unexplained.push(`layer ${i} (${type}): '${color.datum}' not in the legend`);
        }
        return;
      }
      if (type === 'rule' && texts.includes(l.data?.name)) return;
      if (layers.length === 1 && !color) return;  // one mark: the axis titles say what it is
      out.unexplained.push(`layer ${i} (${type}) has no legend entry or label`);
    });
    if (spec.usermeta?.time_axis && view) {
      const x = view.scale('x');
      const [lo, hi] = spec.usermeta.measured_ms;
      const [d0, d1] = x.domain();
      out.axis = { domain: [d0, d1], measured: [lo, hi], plot: view.width(),
                   span: x(hi) - x(lo) };
    }
    return out;
  });
}

try {
  for (const width of [1300, 800]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push('request: ' + r.url());
    });
    await page.goto('file://' + path.resolve(report));
    await page.waitForFunction(
      (n) => Object.keys(window.tailqViews || {}).length >= n &&
             document.querySelectorAll('.chart svg').length >= n,
      Number(minCharts), { timeout: 20000 });
    const charts = await page.evaluate(inspect);
    if (charts.length < Number(minCharts)) problems.push(`only ${charts.length} charts`);
    for (const id of requiredIds.split(',').filter(Boolean)) {
      if (!charts.some((c) => c.id === id)) problems.push(`${width} px: no chart '${id}'`);
    }
    for (const c of charts) {
      const at = `${width} px, chart ${c.id}`;
      if (c.marks === 0) problems.push(`${at} has no marks`);
      if (c.width < 0.7 * width) problems.push(`${at} is ${Math.round(c.width)} px wide`);
      for (const u of c.unexplained) problems.push(`${at}: ${u}`);
      if (c.axis) {
        const { domain, measured, plot, span } = c.axis;
        if (domain[0] > measured[0] || domain[1] < measured[1]) {
          problems.push(`${at}: x-domain ${domain} misses measured times ${measured}`);
        }
        if (span < 0.5 * plot) {
          problems.push(`${at}: measured times ${measured} span ${Math.round(span)} of ${plot} px`);
        }
      }
    }
    await page.screenshot({ path: screenshot.replace(/\.png$/, `-${width}.png`), fullPage: true });
    console.log(JSON.stringify(charts));
    await page.close();
  }
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('1 passed, 0 failed');
