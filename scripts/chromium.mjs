// Shared launch settings for scripts that drive Debian Chromium (report, benchmark), same flags as the e2e tests.
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

/** On a machine with a real GPU, set TRANSFER_LAB_REAL_GPU=1 so WebGPU/WebGL use it instead of SwiftShader. */
export function launchChromium() {
  const args = process.env.TRANSFER_LAB_REAL_GPU
    ? chromiumArgs.filter((a) => !a.includes('swiftshader'))
    : chromiumArgs;
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
}
