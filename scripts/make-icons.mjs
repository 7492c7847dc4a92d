#!/usr/bin/env node
// Renders public/icon.svg to the PNG icons the web manifest lists (run once after editing the SVG; PNGs are committed).
import { readFileSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';

const svg = readFileSync('public/icon.svg', 'utf8');
const browser = await launchChromium();
const page = await browser.newPage();
for (const [file, size, pad] of [['icon-192.png', 192, 0], ['icon-512.png', 512, 0], ['icon-maskable-512.png', 512, 0.1]]) {
  await page.setViewportSize({ width: size, height: size });
  // Maskable icons keep their content inside the central 80 % safe zone, on a full-bleed background.
  const inner = Math.round(size * (1 - 2 * pad));
  await page.setContent(
    `<body style="margin:0;background:#1f4e79;display:grid;place-items:center;height:${size}px">` +
      `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body>`,
  );
  await page.screenshot({ path: `public/${file}`, omitBackground: false });
}
await browser.close();
console.log('icons written to public/');
