import { existsSync } from 'node:fs';

/** Chromium's SwiftShader Vulkan driver (Debian's chromium package): a GPU for WebGPU where the machine has none. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * WebGPU in Node through the `webgpu` package (Dawn), registered with tfjs: the engine's GPU kernels can then be
 * tested here against the cpu backend. Where no Vulkan driver answers, it says why instead.
 */
export async function nodeWebGpu(): Promise<{ ok: true } | { ok: false; why: string }> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
  if (!(await gpu.requestAdapter())) return { ok: false, why: 'no WebGPU adapter: install a Vulkan driver (Debian: chromium, or mesa-vulkan-drivers)' };
  // Registers the backend only where navigator.gpu exists, so it comes after the lines above.
  await import('@tensorflow/tfjs-backend-webgpu');
  return { ok: true };
}
