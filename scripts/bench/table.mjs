// Prints bench-results.json as the tables README.md shows (medians, with min–max where repeated).

const fmt = (v, d = 1) => (v == null || Number.isNaN(v) ? '—' : v.toFixed(d));
const med = (s, d = 1) => (s ? `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)})` : '—');
const ratio = (a, b) => (a == null || b == null || !b ? '—' : (a / b).toFixed(2));
const mb = (b) => (b == null ? '—' : (b / 2 ** 20).toFixed(0));

export function printTable(r) {
  console.log(`\n${r.when} — ${r.machine}; ${r.settings.perClass * 2} photos, ${r.settings.reps} repetitions\n`);
  const older = Object.entries(r.partsFrom ?? {}).filter(([, when]) => when && when !== r.when);
  if (older.length) console.log(`kept from earlier runs: ${older.map(([part, when]) => `${part} (${when})`).join(', ')}\n`);
  console.log('backend | embed ms/img engine | bare | bare/engine | head epoch ms engine | bare | bare/engine | leak');
  console.log('---|---|---|---|---|---|---|---');
  for (const [b, f] of Object.entries(r.backends)) {
    if (!f.embedMsPerImage) {
      // A threads-only run leaves wasm with its thread figures and nothing of the engine part to show here.
      if (f.notes) console.log(`${b} | ${f.notes}`);
      continue;
    }
    console.log(
      `${b} | ${med(f.embedMsPerImage)} | ${med(f.bareEmbedMsPerImage)} | ${ratio(f.bareEmbedMsPerImage?.median, f.embedMsPerImage?.median)} | ` +
        `${med(f.headEpochMs)} | ${med(f.bareHeadEpochMs)} | ${ratio(f.bareHeadEpochMs?.median, f.headEpochMs?.median)} | ${f.tensorLeak ?? '—'}`,
    );
  }
  console.log('\nbackend | fine-tune block 13 epoch ms cached | naive | naive/cached (bound) | whole run ms cached | naive | naive/cached | all layers epoch ms | peak tensors MB | peak wasm heap MB | peak renderer / GPU process MB');
  console.log('---|---|---|---|---|---|---|---|---|---|---');
  for (const [b, f] of Object.entries(r.backends)) {
    if (!f.embedMsPerImage) continue;
    const p = f.peakProcessBytes ?? {};
    console.log(
      `${b} | ${med(f.fineTuneEpochMsCached, 0)} | ${med(f.fineTuneEpochMsNaive, 0)} | ${ratio(f.fineTuneEpochMsNaive?.median, f.fineTuneEpochMsCached?.median)} (${fmt(f.cacheBound, 1)}) | ` +
        `${med(f.fineTuneRunMsCached, 0)} | ${med(f.fineTuneRunMsNaive, 0)} | ${ratio(f.fineTuneRunMsNaive?.median, f.fineTuneRunMsCached?.median)} | ` +
        `${fmt(f.fineTuneAllEpochMs, 0)} | ${mb(f.peakTensorBytes)} | ${mb(f.peakWasmHeapBytes)} | ${mb(p.renderer)} / ${mb(p.gpu)}${f.notes ? `  (${f.notes})` : ''}`,
    );
  }
  const threads = r.backends.wasm?.threads;
  if (threads) {
    const sp = threads.speedups ?? {};
    const x = (v) => (v == null ? '—' : `${fmt(v, 2)}×`);
    const ways = (s, a, b) => (s ? `${x(s.ofMedians)} | ${x(s.best)} | ${x(s.paired.median)} (${fmt(s.paired.min, 2)}–${fmt(s.paired.max, 2)})` : `${ratio(a?.median, b?.median)}× | — | —`);
    const repsOf = (s) => s?.runs ?? '—';
    console.log(`\nwasm threads (engines in their workers${threads.isolated ? '' : ', page NOT cross-origin isolated'}; ${repsOf(threads.embedMsPerImage1)} embedding and ${repsOf(threads.allEpochMs1)} epoch reps each side) | 1 thread | ${threads.count} threads | speed-up: of medians | of best reps | rep by rep, median (min–max)`);
    console.log('---|---|---|---|---|---');
    console.log(`embedding ms/img${threads.embedPhotosPerRun ? ` (runs of ${threads.embedPhotosPerRun} photos)` : ''} | ${med(threads.embedMsPerImage1)} | ${med(threads.embedMsPerImageN)} | ${ways(sp.embed, threads.embedMsPerImage1, threads.embedMsPerImageN)}`);
    console.log(`every-layer epoch ms | ${med(threads.allEpochMs1, 0)} | ${med(threads.allEpochMsN, 0)} | ${ways(sp.allEpoch, threads.allEpochMs1, threads.allEpochMsN)}`);
    if (threads.topEpochsMs1) console.log(`top block, 20 epochs of 16 photos: ms in epochs | ${med(threads.topEpochsMs1, 0)} | ${med(threads.topEpochsMsN, 0)} | ${ways(sp.topEpochs, threads.topEpochsMs1, threads.topEpochsMsN)}`);
    const g = threads.goal;
    if (g) console.log(`goal (embedding ≥ ${g.embedAtLeast}×, every-layer epoch ≥ ${g.allEpochAtLeast}×) | | | ${g.met.ofMedians ? 'met' : 'not met'} | ${g.met.best ? 'met' : 'not met'} | ${g.met.paired ? 'met' : 'not met'}`);
    if (threads.machineSpeedup) console.log(`the machine's own ceiling (fixed arithmetic in ${threads.count} workers vs 1) | | | — | ${x(threads.machineSpeedupBest)} | ${med(threads.machineSpeedup, 2)}×`);
  }
  console.log('\nlab, as a learner drives it | longest main-thread task ms: feature extraction | fine-tune | live answers/s (camera fps) | engine in | peak renderer / GPU MB');
  console.log('---|---|---|---|---|---');
  for (const [b, l] of Object.entries(r.lab ?? {})) {
    const p = l.peakProcessBytes ?? {};
    console.log(`${b} | ${fmt(l.longestMainThreadTaskMs?.featureExtraction, 0)} | ${fmt(l.longestMainThreadTaskMs?.fineTune, 0)} | ${fmt(l.livePredictionFps)} (${fmt(l.cameraFps)}) | ${l.engineIn ?? '—'} | ${mb(p.renderer)} / ${mb(p.gpu)}${l.notes ? `  (${l.notes})` : ''}`);
  }
  if (r.bases) {
    console.log('\nbase | embed ms/img per backend | held-out accuracy, 10 / 20 photos per class (plain head) | with cached views | lab default, 20 per class (lab plain) | lab default run s / plain s (×), wall; CPU');
    console.log('---|---|---|---|---|---');
    for (const [id, b] of Object.entries(r.bases)) {
      const embed = Object.entries(b.embedMsPerImage ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
      const acc = (a) => (a ? `${fmt(a['10'], 3)} / ${fmt(a['20'], 3)}` : '—');
      const lab = b.heldOutAccuracyLabDefault ? `${fmt(b.heldOutAccuracyLabDefault['20'], 3)} (${fmt(b.heldOutAccuracyLabPlain?.['20'], 3)})` : '—';
      const cpu = b.labDefaultCpuRatio ? `; CPU ${fmt(b.labDefaultCpuMs / 1000)} / ${fmt(b.labPlainCpuMs / 1000)} (${fmt(b.labDefaultCpuRatio)}×)` : '';
      const time = b.labDefaultRunMs ? `${fmt(b.labDefaultRunMs / 1000)} / ${fmt(b.labPlainRunMs / 1000)} (${fmt(b.labDefaultTimeRatio)}×)${cpu}` : '—';
      console.log(`${id} | ${embed} | ${acc(b.heldOutAccuracy)} | ${acc(b.heldOutAccuracyCachedViews)} | ${lab} | ${time}`);
    }
  }
  const gn = r.gpuNode;
  if (gn?.backends) {
    const a = gn.adapter;
    console.log(`\nthe engine in Node (${gn.machine}); WebGPU adapter: ${a ? `${a.vendor} ${a.architecture} (${a.description})${a.software ? ', software' : ', hardware'}` : 'none'} | embed ms/img | fine-tune block 13 epoch ms cached | naive | all layers epoch ms`);
    console.log('---|---|---|---|---');
    for (const [b, f] of Object.entries(gn.backends)) {
      console.log(f.embedMsPerImage ? `${b} | ${med(f.embedMsPerImage)} | ${med(f.fineTuneEpochMsCached, 0)} | ${med(f.fineTuneEpochMsNaive, 0)} | ${fmt(f.fineTuneAllEpochMs, 0)}${f.notes ? `  (${f.notes})` : ''}` : `${b} | ${f.notes}`);
    }
    console.log(`the engine's own choice there: ${gn.choice?.name} — ${gn.choice?.reason}`);
  } else if (gn?.notes) console.log(`\nthe engine in Node: ${gn.notes}`);
  if (r.memory?.runs) {
    console.log('\nphotos in the project (wasm) | every renderer process summed, MB idle → peak | PSS peak | each process at peak | lab renderer (page + engine) MB idle → peak (PSS peak) | blank page: renderers MB (PSS) | GPU process MB peak | engine tensors / wasm heap MB peak | upload s | train s | longest task ms upload / training');
    console.log('---|---|---|---|---|---|---|---|---|---|---');
    for (const m of r.memory.runs) {
      if (!m.rendererMB) {
        console.log(`${m.photos} | ${m.notes}`);
        continue;
      }
      const made = m.variants ? ` (${m.variants} variants)` : '';
      console.log(
        `${m.photos}${made} | ${m.rendererMB.idle} → ${m.rendererMB.peak} | ${m.rendererMB.pssPeak ?? '—'} | ${m.rendererMB.processes?.peak.join(' + ') ?? '—'} | ` +
          `${m.appRendererMB ? `${m.appRendererMB.idle} → ${m.appRendererMB.peak} (${m.appRendererMB.pssPeak})` : '—'} | ${m.blankPageRenderersMB ? `${m.blankPageRenderersMB.processes.join(' + ')} = ${m.blankPageRenderersMB.sum} (${m.blankPageRenderersMB.pss})` : '—'} | ` +
          `${m.gpuProcessMB.peak} | ${m.engineTensorsPeakMB} / ${m.engineWasmHeapPeakMB ?? '—'} | ` +
          `${fmt(m.uploadSeconds, 0)} | ${fmt(m.trainSeconds, 0)} | ${m.longestMainThreadTaskMs.upload} / ${m.longestMainThreadTaskMs.training}`,
      );
    }
    const g = r.memory.goal;
    if (g) console.log(`goal (the lab's renderer: page + engine; < 600 MB, ≤ 1.25×): ${g.rendererPeakMB.join(' → ')} MB (PSS ${g.pssPeakMB.join(' → ')}), ${g.ratio}× — ${g.met ? 'met' : 'not met'}`);
    const e = g?.everyRenderer;
    if (e) console.log(`beside it, every renderer process summed (the browser's UI renderer among them: ${e.browserUiPeakMB.join(' → ')} MB): ${e.peakMB.join(' → ')} MB (PSS ${e.pssPeakMB.join(' → ')}), ${e.ratio}×`);
  }
}
