#!/usr/bin/env node
// Makes sure the e2e tests have a Chromium: CHROMIUM_PATH, a system one, Playwright's own download where the
// network allows (or, as root on Debian, the `chromium` package); otherwise one message saying what to install.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

if (process.env.CHROMIUM_PATH && !existsSync(process.env.CHROMIUM_PATH)) {
  console.error(`[e2e] CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist. Point it at a Chromium or Chrome binary.`);
  process.exit(1);
}
const attempt = (what, cmd) => {
  if (findChromium()) return;
  console.log(`[e2e] no Chromium found: ${what}…`);
  try {
    execSync(cmd, { stdio: 'inherit' });
  } catch {
    console.log(`[e2e] ${what} did not work`);
  }
};
if (process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
  attempt('installing the Debian package `chromium`', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium');
}
attempt("downloading Playwright's Chromium", 'npx playwright install chromium');
const found = findChromium();
if (found) process.exit(0);
console.error(
  `[e2e] No Chromium or Chrome to drive. Install one, then run the tests again:\n` +
    `  Debian/Ubuntu: sudo apt-get install chromium   (Ubuntu: chromium-browser)\n` +
    `  macOS:         brew install --cask chromium    (or install Google Chrome)\n` +
    `  Windows:       winget install Google.Chrome\n` +
    `  Any system with internet: npx playwright install chromium\n` +
    `  A browser elsewhere: set CHROMIUM_PATH=/path/to/chrome`,
);
process.exit(1);
