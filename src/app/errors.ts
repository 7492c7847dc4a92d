import type { t } from 'svelte-i18n';
import { EngineError } from '../ml/types';
import { CameraError } from '../io/camera-error';
import { ModelLimitError } from '../io/model-limit-error';
import { TmFileError } from '../io/tm-file-error';
import { ProjectFileError } from '../io/project-file-error';
import { ProjectLinkError } from '../io/project-link-error';
import { StorageFullError } from '../io/db-trouble';
import type { Rejection } from '../io/photos';
import type { WebcamProblem } from './webcam.svelte';

/** svelte-i18n's formatter, i.e. the value of `$t` in a view. */
export type Translate = Parameters<Parameters<typeof t.subscribe>[0]>[0];
type Values = Record<string, string | number>;

/** A photo refused before decoding (io/photos' Rejection), as something a view can hold and throw. */
export class UploadRejectedError extends Error {
  constructor(readonly rejection: Rejection) {
    super(`${rejection.file}: ${rejection.reason}`);
    this.name = 'UploadRejectedError';
  }
}

/** The one place that decides an error's message: an i18n key and the values its sentence needs. */
interface Said {
  key: string;
  values: Values;
}

const detailOf = (err: unknown): string => (err instanceof Error ? err.message : typeof err === 'string' ? err : String(err));
const named = (err: unknown, name: string): err is Error & Record<string, unknown> => err instanceof Error && err.name === name;
const problemOf = (err: Error & Record<string, unknown>): string => (typeof err.problem === 'string' ? err.problem : '');

/** MODEL and BACKEND cover several situations; their details tell which one. */
function engineKey(err: EngineError): string {
  const d = err.details;
  if (err.code === 'MODEL') {
    const kind =
      d.problem === 'other-base' ? 'other-base'
      : 'weight' in d ? 'head-mismatch'
      : 'format' in d ? 'not-head'
      : 'source' in d ? 'load'
      : 'problem' in d ? 'not-mobilenet'
      : 'layer' in d ? 'layer'
      : 'other';
    return `errors.engine.MODEL.${kind}`;
  }
  if (err.code === 'BACKEND') return `errors.engine.BACKEND.${'tried' in d ? 'none' : 'failed'}`;
  return `errors.engine.${err.code}`;
}

/** Values every engine sentence may use, so a missing detail never breaks a message. */
const ENGINE_DEFAULTS: Values = { name: '', value: '', class: '', count: 0, backend: '', tried: '', saved: '', current: '', layer: '', blocks: 0 };

const MODEL_FILE_PROBLEMS = ['missing-json', 'missing-weights', 'not-ours', 'unreadable'];
const QUOTA_NAMES = ['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED'];

/** The message a refused photo's reason gets (the same wherever photos are refused). */
export function rejectionText(r: Pick<Rejection, 'reason' | 'format' | 'width' | 'height'>, $t: Translate): string {
  return $t(`lab.upload.reason.${r.reason}`, { values: { format: r.format ?? '', width: r.width ?? 0, height: r.height ?? 0 } });
}

/** The message for a camera that cannot be used (thrown when opening it, or stopped later). */
export function cameraText(problem: WebcamProblem, $t: Translate): string {
  return $t(`lab.webcam.problem.${problem}`);
}

function decide(err: unknown, $t: Translate): Said {
  if (err instanceof EngineError || (named(err, 'EngineError') && typeof err.code === 'string')) {
    const e = err as EngineError;
    return { key: engineKey(e), values: { ...ENGINE_DEFAULTS, ...(e.details ?? {}), detail: e.message } };
  }
  if (err instanceof TmFileError) return { key: `teachable.error.${err.problem}`, values: {} };
  if (err instanceof ModelLimitError) return { key: `errors.file.${err.problem}`, values: {} };
  // ModelFileError's module loads tfjs, which the page must not: it is known by its name and problem.
  if (named(err, 'ModelFileError')) {
    const problem = problemOf(err);
    return { key: `lab.files.error.${MODEL_FILE_PROBLEMS.includes(problem) ? problem : 'unreadable'}`, values: {} };
  }
  if (err instanceof ProjectFileError) {
    const reason = err.problem === 'photo' ? rejectionText({ reason: err.detail as Rejection['reason'] }, $t) : err.detail;
    return { key: `lab.project.error.${err.problem}`, values: { detail: reason, file: err.file, reason, mb: err.detail } };
  }
  if (err instanceof ProjectLinkError) return { key: `projectLink.error.${err.problem}`, values: { detail: err.detail } };
  if (err instanceof UploadRejectedError) return { key: 'errors.upload.rejected', values: { file: err.rejection.file, reason: rejectionText(err.rejection, $t) } };
  if (err instanceof CameraError) return { key: `lab.webcam.problem.${err.problem}`, values: {} };
  if (err instanceof StorageFullError || (err instanceof Error && QUOTA_NAMES.includes(err.name))) return { key: 'errors.storage.full', values: {} };
  return { key: 'errors.generic', values: { detail: detailOf(err) } };
}

/**
 * The error's message in the current language: the engine's codes with their details, file, project, upload,
 * camera and storage problems each get their own sentence; anything else a translated sentence around its text.
 * Views call it as `errorText(err, $t)`, so the message follows a language switch.
 */
export function errorText(err: unknown, $t: Translate): string {
  const { key, values } = decide(err, $t);
  return $t(key, { values });
}

/** The same message made to sit inside another sentence (`{error}`, `{detail}`): no closing full stop. */
export function errorDetail(err: unknown, $t: Translate): string {
  return errorText(err, $t).replace(/\.\s*$/, '');
}

/** The i18n key an error is told by (e.g. `errors.engine.BAD_HYPERPARAMETER`), or null for an unknown error. */
export function errorCode(err: unknown): string | null {
  const { key } = decide(err, (k) => (typeof k === 'string' ? k : (k.id ?? '')));
  return key === 'errors.generic' ? null : key;
}
