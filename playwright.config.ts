import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, findChromium } from './scripts/chromium.mjs';

export const PORT = Number(process.env.E2E_PORT ?? 4173);
export const SUBPATH_PORT = PORT + 1;
export const SUBPATH = '/some/sub/path/';
/** The same app from a server that sends README's headers itself (COOP/COEP, the CSP), as a configured host does. */
export const HEADERS_PORT = PORT + 2;
/** Where the servers append the CSP reports they receive (e2e/fixtures.ts fails a test on any). */
export const CSP_LOG = join(tmpdir(), `transfer-lab-csp-${PORT}.log`);
/** The built app the tests drive; another folder lets two builds be tested side by side. */
const DIST = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    launchOptions: { executablePath: findChromium() ?? undefined, args: chromiumArgs },
    permissions: ['camera'],
    trace: 'off',
  },
  webServer: [
    { command: `node scripts/static-server.mjs --dir ${DIST} --base / --port ${PORT} --csp-log ${CSP_LOG}`, port: PORT, reuseExistingServer: !process.env.CI },
    {
      command: `node scripts/static-server.mjs --dir ${DIST} --base ${SUBPATH} --port ${SUBPATH_PORT} --csp-log ${CSP_LOG}`,
      port: SUBPATH_PORT,
      reuseExistingServer: !process.env.CI,
    },
    {
      command: `node scripts/static-server.mjs --dir ${DIST} --base / --port ${HEADERS_PORT} --headers --csp-log ${CSP_LOG}`,
      port: HEADERS_PORT,
      reuseExistingServer: !process.env.CI,
    },
  ],
});
