// Where an engine's time goes, kernel by kernel (scripts/bench/profile.mjs): the app's own engine in its own worker,
// wasm with a given thread count, each kernel timed by tf.profile (wasm times a kernel by the wall clock around it).
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { EngineHost } from '../worker/host';
import { timeKernelPool } from '../worker/kernel-pool';
import { RowTask } from '../ml/row-kernels';
import { exposeReplica, isReplicaWorker } from '../worker/replica-role';
import type { EngineConfig, SampleRef } from '../worker/api';
import type { LayerInfo, Pixels, TrainOptions } from '../ml';

/** One kernel name and input shape: its summed ms and calls over the profiled runs. */
export interface KernelRow {
  name: string;
  shape: string;
  ms: number;
  calls: number;
}

export interface Profile {
  threads: number;
  /** Wall ms of the profiled job, per run. */
  wallMs: number;
  /** ms inside kernels, per run. */
  kernelMs: number;
  rows: KernelRow[];
  /**
   * The wasm gradient kernels' own thread pool, per task kind and run (empty with one thread): the engine thread's
   * share and its wait for the helpers. With an even split, a share as long as the whole kernel on one thread means
   * each thread ran at half speed.
   */
  pool: { task: string; calls: number; ownMs: number; waitMs: number }[];
}

const taskName = new Map(Object.entries(RowTask).map(([name, kind]) => [kind as number, name]));

function profileApi(host: EngineHost) {
  let runId = 1;
  return {
    async start(config: EngineConfig, samples: { id: string; pixels: Pixels }[]): Promise<{ threads: number; layers: LayerInfo[] }> {
      const info = await host.init(config);
      await host.putSamples(samples);
      return { threads: info.backend.threads ?? 1, layers: info.layers };
    },

    /** Runs `options` on the photos `runs` times after one warm run; per-kernel ms averaged over the runs. */
    async profile(refs: SampleRef[], options: TrainOptions, runs: number): Promise<Profile> {
      const job = async () => {
        const slot = `profile-${runId}`;
        await host.train(slot, runId++, refs, options);
        await host.disposeSlot(slot);
      };
      await job();
      const rows = new Map<string, KernelRow>();
      let wallMs = 0;
      timeKernelPool(true);
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        const info = await tf.profile(job);
        wallMs += performance.now() - t0;
        for (const k of info.kernels) {
          const shape = k.inputShapes.map((s) => `[${s ?? ''}]`).join(' ');
          const key = `${k.name} ${shape}`;
          const row = rows.get(key) ?? { name: k.name, shape, ms: 0, calls: 0 };
          row.ms += Number(k.kernelTimeMs) || 0;
          row.calls++;
          rows.set(key, row);
        }
      }
      const pool = [...(timeKernelPool(false) ?? [])].map(([kind, t]) => ({ task: taskName.get(kind) ?? String(kind), calls: t.calls / runs, ownMs: t.ownMs / runs, waitMs: t.waitMs / runs }));
      const all = [...rows.values()].map((r) => ({ ...r, ms: r.ms / runs, calls: r.calls / runs }));
      return { threads: 0, wallMs: wallMs / runs, kernelMs: all.reduce((a, r) => a + r.ms, 0), rows: all, pool };
    },
  };
}

export type ProfileApi = ReturnType<typeof profileApi>;

// With threads, the engine starts its replicas from this same script (replica-role.ts), as in the app's engine worker.
if (isReplicaWorker(self.name)) exposeReplica();
else Comlink.expose(profileApi(new EngineHost('worker')));
