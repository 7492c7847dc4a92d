// Finds and launches the Chromium that the e2e tests, the size report and the benchmark drive (same flags everywhere).
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

export const chromiumArgs = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

/** System browsers we can drive, by platform; the first that exists wins. */
const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

/** CHROMIUM_PATH, else a system Chromium/Chrome, else Playwright's own download if one was installed; null if none. */
export function findChromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const system = SYSTEM_BROWSERS.find((p) => existsSync(p));
  if (system) return system;
  try {
    const own = chromium.executablePath();
    return existsSync(own) ? own : null;
  } catch {
    return null;
  }
}

/** On a machine with a real GPU, set TRANSFER_LAB_REAL_GPU=1 so WebGPU/WebGL use it instead of SwiftShader. */
export function launchChromium() {
  const args = process.env.TRANSFER_LAB_REAL_GPU
    ? chromiumArgs.filter((a) => !a.includes('swiftshader'))
    : chromiumArgs;
  return chromium.launch({ executablePath: findChromium() ?? undefined, args });
}
