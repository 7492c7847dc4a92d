import type { Scorm12Api } from './find-api';

/** One call the LMS refused: what was asked, and the LMS's own error code and words for it. */
export interface LmsProblem {
  call: 'LMSInitialize' | 'LMSGetValue' | 'LMSSetValue' | 'LMSCommit' | 'LMSFinish';
  element: string;
  code: string;
  text: string;
}

/** SCORM 1.2 error codes an optional element may answer with (RTE 3.3.2.3): "not implemented", "invalid argument". */
const OPTIONAL_MISSING = new Set(['201', '401']);

/**
 * A SCORM 1.2 session over the LMS's `API`: every call is followed by LMSGetLastError, and a non-zero code is
 * handed to `onProblem` with the LMS's error string. Nothing throws: a broken LMS never stops the course.
 */
export class Scorm12Session {
  private open = false;

  constructor(
    private readonly api: Scorm12Api,
    private readonly onProblem: (p: LmsProblem) => void,
  ) {}

  get active(): boolean {
    return this.open;
  }

  initialize(): boolean {
    this.open = this.call('LMSInitialize', '', () => this.api.LMSInitialize('')) === 'true';
    return this.open;
  }

  /** The element's value, '' when the LMS has none; `optional` elements an LMS may not implement stay quiet. */
  get(element: string, optional = false): string {
    if (!this.open) return '';
    return this.call('LMSGetValue', element, () => this.api.LMSGetValue(element), optional) ?? '';
  }

  set(element: string, value: string): boolean {
    return this.open && this.call('LMSSetValue', element, () => this.api.LMSSetValue(element, value)) === 'true';
  }

  commit(): boolean {
    return this.open && this.call('LMSCommit', '', () => this.api.LMSCommit('')) === 'true';
  }

  /** Ends the session; later calls do nothing (SCORM 1.2 allows no call after LMSFinish). */
  finish(): boolean {
    if (!this.open) return false;
    this.open = false;
    return this.call('LMSFinish', '', () => this.api.LMSFinish('')) === 'true';
  }

  private call(name: LmsProblem['call'], element: string, run: () => string, optional = false): string | null {
    let result: string;
    try {
      result = String(run());
    } catch (err) {
      this.onProblem({ call: name, element, code: 'exception', text: err instanceof Error ? err.message : String(err) });
      return null;
    }
    let code = '0';
    try {
      code = String(this.api.LMSGetLastError() ?? '0');
    } catch {
      /* an LMS that cannot even say its last error: the call's own result stands */
    }
    if (code === '0' || code === '') return result;
    if (optional && OPTIONAL_MISSING.has(code)) return null;
    let text = '';
    try {
      text = String(this.api.LMSGetErrorString(code) ?? '');
    } catch {
      /* the code alone is shown */
    }
    this.onProblem({ call: name, element, code, text });
    return null;
  }
}
