#!/usr/bin/env node
// Finds a Chromium for the browser tests, or installs Debian's when run as root, or says
// exactly what to install. Playwright's own browser download cannot work on machines without
// internet access, so we drive the system Chromium.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Path of a Chromium binary, or undefined. CHROMIUM_PATH wins when set. */
export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

function ensure() {
  let found = findChromium();
  if (found) { console.log(`chromium: ${found}`); return; }
  if (process.env.CHROMIUM_PATH) {
    console.error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist. Point it at a Chromium or Chrome binary.`);
    process.exit(1);
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log('chromium: not found; installing Debian package "chromium" (root, apt-get)...');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null', { stdio: 'inherit', shell: '/bin/bash' });
    found = findChromium();
    if (found) { console.log(`chromium: ${found}`); return; }
  }
  console.error([
    'The browser tests need Chromium and none was found.',
    '  Debian/Ubuntu: sudo apt-get install -y chromium',
    '  Or set CHROMIUM_PATH=/path/to/chromium (or Chrome) and run the tests again.',
  ].join('\n'));
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) ensure();
