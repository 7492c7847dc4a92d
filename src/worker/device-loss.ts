import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../ml/types';

/** The part of the WebGPU device (held by tfjs' backend) that we read: its loss. DOM typings for WebGPU are not in TypeScript's lib. */
interface DeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
}

/** Resolves with the browser's words once the active WebGPU backend's device is lost (a driver reset, `destroy()`); null on other backends. */
export function deviceLoss(): Promise<string> | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const device = (tf.backend() as unknown as { device?: DeviceLike }).device;
  return device ? device.lost.then((info) => info.message || info.reason || 'unknown') : null;
}

/** Drops the broken WebGPU backend and registers its factory again, so a later pick of webgpu asks for a fresh device. */
export async function forgetWebGpu(): Promise<void> {
  // Never leave tfjs without an active backend: it would initialise the highest-priority one (webgpu) by itself.
  await tf.setBackend('cpu');
  const factory = tf.findBackendFactory('webgpu');
  tf.removeBackend('webgpu');
  if (factory) tf.registerBackend('webgpu', factory, 3);
}

/** What the host knows about GPU device losses: how many so far, the last one's words, and when the engine is off the lost device. */
export class DeviceLosses {
  count = 0;
  detail = '';
  settled: Promise<void> = Promise.resolve();
}

/** Calls that neither touch the GPU nor wait for a move off a lost device (the page's heartbeat must be answered meanwhile). */
const FREE = new Set(['ping', 'watch', 'cancel', 'memory']);

/**
 * The host as the page calls it: a call waits while the engine moves off a lost GPU device, and a call that was
 * under way when the device was lost rejects with a LOST EngineError (its result came from a device that is gone).
 */
export function guardedByDevice<T extends object>(host: T, losses: DeviceLosses): T {
  return new Proxy(host, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || FREE.has(prop)) return method.bind(target);
      return async (...args: unknown[]) => {
        await losses.settled;
        const before = losses.count;
        const lost = () => new EngineError('LOST', `The GPU device was lost (${losses.detail}) during this call.`, { cause: 'device', detail: losses.detail });
        let result: unknown;
        try {
          result = await method.apply(target, args);
        } catch (err) {
          throw losses.count > before ? lost() : err;
        }
        if (losses.count > before) throw lost();
        return result;
      };
    },
  });
}
