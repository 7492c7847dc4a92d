// Per-kernel profiles of the wasm engine with 1 thread and with all (scripts/bench/profile.mjs): the threads part's
// two engines and jobs, each kernel's time summed by name and input shape, so the parallel share can be read off.
import * as Comlink from 'comlink';
import type { DecodedSample, LayerInfo, TrainOptions } from '../ml';
import { wasmThreadCount } from '../ml/threads';
import { threadJobs, wasmEngineConfig } from './threads';
import type { Profile, ProfileApi } from './profile.worker';

interface Profiler {
  api: Comlink.Remote<ProfileApi>;
  layers: LayerInfo[];
  end: () => void;
}

async function profiler(threads: number, samples: DecodedSample[]): Promise<Profiler> {
  const worker = new Worker(new URL('./profile.worker.ts', import.meta.url), { type: 'module', name: `profile-${threads}` });
  const api = Comlink.wrap<ProfileApi>(worker);
  const got = await api.start(wasmEngineConfig(threads), samples.map(({ id, pixels }) => ({ id, pixels })));
  if (got.threads !== threads) throw new Error(`asked for ${threads} threads, got ${got.threads}`);
  return { api, layers: got.layers, end: () => worker.terminate() };
}

/** The engines with 1 and all threads, both alive as in the threads part, and the jobs it times. */
export async function startProfiles(samples: DecodedSample[], classNames: string[]) {
  const count = wasmThreadCount();
  const engines = new Map<number, Profiler>([[1, await profiler(1, samples)], [count, await profiler(count, samples)]]);
  const refs = samples.map(({ id, label }) => ({ id, label }));
  const { embed, everything } = threadJobs(classNames, engines.get(1)!.layers);
  const jobs: Record<string, TrainOptions> = { embed, 'all-layers-2-epochs': everything };
  return {
    count,
    jobs: Object.keys(jobs),
    /** One job on the engine with `threads`, profiled over `runs` runs after a warm one. */
    profile: async (threads: number, job: string, runs: number): Promise<Profile> => ({ ...(await engines.get(threads)!.api.profile(refs, jobs[job], runs)), threads }),
    end: () => engines.forEach((e) => e.end()),
  };
}
