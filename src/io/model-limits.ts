/** Limits on an imported model, checked on model.json before TF.js allocates anything. */
import { ModelLimitError } from './model-limit-error';

export { ModelLimitError, type ModelLimitProblem } from './model-limit-error';

export const MODEL_LIMITS = {
  /** model.json plus its weight files; MobileNet v1 1.0 with a head is ~17 MB. */
  totalBytes: 64 * 1024 * 1024,
  jsonBytes: 2 * 1024 * 1024,
  /** Any string in model.json: layer and weight names are short, a class name is at most 40 characters. */
  stringLength: 200,
  classNameLength: 40,
  classes: 100,
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function longestString(v: unknown, depth = 0): number {
  if (typeof v === 'string') return v.length;
  if (depth > 64) return Infinity;
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, longestString(x, depth + 1)), 0);
  if (isObject(v)) return Object.entries(v).reduce((m, [k, x]) => Math.max(m, k.length, longestString(x, depth + 1)), 0);
  return 0;
}

/**
 * Checks an exported model before loading it: sizes, float32 weights only (no quantisation), the weight files'
 * bytes equal to what the shapes need, and short strings. Throws a ModelLimitError naming the first problem.
 */
export function checkModelFiles(jsonText: string, jsonBytes: number, weights: { name: string; size: number }[]): void {
  const total = jsonBytes + weights.reduce((n, w) => n + w.size, 0);
  if (jsonBytes > MODEL_LIMITS.jsonBytes || total > MODEL_LIMITS.totalBytes) {
    throw new ModelLimitError('too-large', `${total} bytes, at most ${MODEL_LIMITS.totalBytes}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch {
    throw new ModelLimitError('not-json', 'model.json is not valid JSON');
  }
  if (!isObject(json) || !Array.isArray(json.weightsManifest)) throw new ModelLimitError('not-json', 'no weightsManifest');
  const meta = json.userDefinedMetadata;
  const names = isObject(meta) ? meta.classNames : undefined;
  if (Array.isArray(names) && (names.length > MODEL_LIMITS.classes || names.some((n) => typeof n !== 'string' || n.length > MODEL_LIMITS.classNameLength))) {
    throw new ModelLimitError('long-strings', 'class names');
  }
  const { modelTopology: _topology, ...rest } = json;
  // The topology holds long-ish config blobs only inside nested objects; its own strings are names too.
  if (longestString(rest) > MODEL_LIMITS.stringLength || longestString(json.modelTopology) > MODEL_LIMITS.stringLength) {
    throw new ModelLimitError('long-strings', `a string longer than ${MODEL_LIMITS.stringLength} characters`);
  }
  let needed = 0;
  const paths: string[] = [];
  for (const group of json.weightsManifest as unknown[]) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new ModelLimitError('not-json', 'malformed weightsManifest');
    paths.push(...(group.paths as unknown[]).map(String));
    for (const w of group.weights as unknown[]) {
      if (!isObject(w)) throw new ModelLimitError('not-json', 'malformed weight entry');
      if (w.dtype !== 'float32' || w.quantization !== undefined) throw new ModelLimitError('not-float32', `${String(w.name)} is ${String(w.dtype)}`);
      const shape = w.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ModelLimitError('weights-mismatch', `${String(w.name)} has no valid shape`);
      needed += (shape as number[]).reduce((a, b) => a * b, 1) * 4;
    }
  }
  const byName = new Map(weights.map((w) => [w.name, w.size]));
  let have = 0;
  for (const p of paths) {
    const size = byName.get(p.split('/').pop()!);
    if (size === undefined) throw new ModelLimitError('missing-weights', p);
    have += size;
  }
  if (have !== needed) throw new ModelLimitError('weights-mismatch', `the weight files hold ${have} bytes, the shapes need ${needed}`);
}
