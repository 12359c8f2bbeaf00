// Says in one line when this Node.js is older than a package that Node.js runs for tailq needs
// (web/package.json's devDependencies, with their engines as pinned in package-lock.json), so
// that an old Node.js shows up at install time instead of as a failed browser test.
//   node scripts/check-node-engines.mjs WEB_DIR [VERSION]
// exit 0: fine, 1: too old, 2: cannot tell. VERSION (default: this Node.js) lets a test ask
// about another release, e.g. Debian 12's 18.20.4.
// Only ">=X[.Y[.Z]]" ranges are understood; any other range is reported, not guessed.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [web, version = process.versions.node] = process.argv.slice(2);
const read = (f) => JSON.parse(readFileSync(path.join(web, f), 'utf8'));
const parse = (v) => v.split('.').map((x) => Number(x));
const older = (a, b) => {
  for (let i = 0; i < 3; ++i) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
};

const runs = Object.keys(read('package.json').devDependencies ?? {});
const lock = read('package-lock.json').packages ?? {};
const mine = parse(version);
let status = 0;
for (const name of runs) {
  const entry = lock[`node_modules/${name}`];
  const range = entry?.engines?.node;
  if (!range) continue;
  const m = /^\s*>=\s*v?(\d+(?:\.\d+){0,2})\s*$/.exec(range);
  if (!m) {
    console.error(`install-deps: cannot check ${name} ${entry.version}'s Node.js range "${range}"`);
    status = Math.max(status, 2);
  } else if (older(mine, parse(m[1]))) {
    console.error(`install-deps: Node.js ${version} is too old for ${name} ` +
                  `${entry.version} (needs ${range}); the HTML report's browser tests will fail ` +
                  `until a newer Node.js is installed (reports themselves still work)`);
    status = 1;
  }
}
process.exit(status);
