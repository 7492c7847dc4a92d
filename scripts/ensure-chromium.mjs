#!/usr/bin/env node
// Finds the Chromium the e2e tests drive; as root on Debian without one, installs the `chromium` package.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(wanted)) process.exit(0);
if (process.env.CHROMIUM_PATH) {
  console.error(`CHROMIUM_PATH=${wanted} does not exist. Point it at a Chromium or Chrome binary.`);
  process.exit(1);
}
const isRoot = process.getuid?.() === 0;
const isDebian = existsSync('/etc/debian_version');
if (isRoot && isDebian) {
  console.log('[e2e] /usr/bin/chromium missing: installing Debian package `chromium`…');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
  if (existsSync(wanted)) process.exit(0);
}
console.error(
  `[e2e] No Chromium at ${wanted}.\n` +
    `  Debian/Ubuntu: sudo apt-get install chromium\n` +
    `  Elsewhere: install Chromium or Chrome and set CHROMIUM_PATH=/path/to/chrome`,
);
process.exit(1);
