#!/usr/bin/env node
// Packs scripts/bench-gpu-node.ts for a GPU machine that has no Node, no npm and no network (the device machines
// lent to some tasks): one folder, under the 64 MiB a device run carries, holding this machine's Node, the bench as
// one bundle, Dawn's binary, the model, the 16 photos decoded, tfjs' wasm binaries and the Vulkan loader's Debian
// packages. Its run.sh runs the bench there and writes bench-gpu-node.json into $OUT (README, "WebGPU on a real GPU").
// Usage: node scripts/bench/gpu-kit.mjs [folder]   (default .gpu-kit, which git ignores)
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'vite';

const kit = path.resolve(process.argv[2] ?? '.gpu-kit');
const require = createRequire(import.meta.url);
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.error})`);
};

rmSync(kit, { recursive: true, force: true });
mkdirSync(kit, { recursive: true });

console.log('bundling scripts/bench-gpu-node.ts…');
await build({
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: 'scripts/bench-gpu-node.ts',
    outDir: kit,
    emptyOutDir: false,
    minify: false,
    rollupOptions: {
      external: ['webgpu'],
      output: {
        entryFileNames: 'bench.mjs',
        format: 'es',
        codeSplitting: false,
        // tfjs-backend-wasm's emscripten factory reads Node's CommonJS names, which an ES module lacks.
        banner: "import { createRequire as $cr } from 'node:module'; const require = $cr(import.meta.url); const __filename = new URL(import.meta.url).pathname; const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
      },
    },
  },
});

console.log('Dawn, the model, the wasm binaries…');
const webgpu = path.dirname(require.resolve('webgpu/package.json'));
const dawn = path.join(kit, 'node_modules', 'webgpu');
mkdirSync(path.join(dawn, 'dist', 'linux-x64'), { recursive: true });
for (const f of ['index.js', 'package.json']) copyFileSync(path.join(webgpu, f), path.join(dawn, f));
copyFileSync(path.join(webgpu, 'dist', 'linux-x64', 'dawn.node'), path.join(dawn, 'dist', 'linux-x64', 'dawn.node'));
cpSync('public/assets/models/mobilenet_v1_0.25_224', path.join(kit, 'model'), { recursive: true });
copyFileSync('public/assets/imagenet_classes.json', path.join(kit, 'imagenet_classes.json'));
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
mkdirSync(path.join(kit, 'wasm'));
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(path.join(wasmDir, f), path.join(kit, 'wasm', f));

console.log('the photos, decoded…');
// The same 16 centre squares the bench decodes from the test cache, written raw: the kit needs no JPEG decoder.
run(process.execPath, ['--import', 'tsx', '-e', `
  globalThis.__dirname = ${JSON.stringify(path.resolve('src/ml/testing'))};
  const { squarePhotos } = await import('./src/ml/testing/fixtures.ts');
  const { writeFileSync } = await import('node:fs');
  const photos = squarePhotos(['dress', 'hat'], 8);
  writeFileSync(${JSON.stringify(path.join(kit, 'photos.bin'))}, Buffer.concat(photos.map((p) => Buffer.from(p.pixels.data))));
  writeFileSync(${JSON.stringify(path.join(kit, 'photos.json'))}, JSON.stringify(photos.map(({ id, label }) => ({ id, label }))));
`]);

console.log('Node and the Vulkan loader…');
copyFileSync(process.execPath, path.join(kit, 'node'));
mkdirSync(path.join(kit, 'gl'));
// Dawn opens libvulkan.so.1; the GPU machines' image may lack it (device README): Debian's, unpacked there.
run('apt-get', ['download', 'libvulkan1'], { cwd: path.join(kit, 'gl') });
// Carried compressed; run.sh unpacks them.
run('xz', ['-T0', '-6', path.join(kit, 'node'), path.join(dawn, 'dist', 'linux-x64', 'dawn.node'), path.join(kit, 'bench.mjs')]);

writeFileSync(
  path.join(kit, 'run.sh'),
  `#!/bin/sh
# On the GPU machine, from the repository root: sh .gpu-kit/run.sh  (writes $OUT/bench-gpu-node.json)
set -e
kit=$(cd "$(dirname "$0")" && pwd)
unxz() { if command -v xz >/dev/null; then xz -dkf "$1"; else python3 -c 'import lzma,sys; open(sys.argv[1][:-3],"wb").write(lzma.open(sys.argv[1]).read())' "$1"; fi; }
for f in "$kit"/node.xz "$kit"/bench.mjs.xz "$kit"/node_modules/webgpu/dist/linux-x64/dawn.node.xz; do if [ -e "$f" ]; then unxz "$f"; fi; done
chmod +x "$kit/node"
if ! ldconfig -p | grep -q libvulkan.so.1; then for f in "$kit"/gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "$VK_ICD_FILENAMES" ] && [ -e "$icd" ]; then export VK_ICD_FILENAMES=$icd; fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || true
TRANSFER_LAB_KIT="$kit" BENCH_GPU_NODE_OUT="\${OUT:-.}/bench-gpu-node.json" "$kit/node" "$kit/bench.mjs"
`,
);
chmodSync(path.join(kit, 'run.sh'), 0o755);

const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(path.join(p, f)), 0) : statSync(p).size);
console.log(`kit: ${kit}, ${(size(kit) / 2 ** 20).toFixed(1)} MiB${existsSync(path.join(kit, 'gl')) ? '' : ' (no Vulkan loader)'}`);
