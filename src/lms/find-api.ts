/** The SCORM 1.2 run-time API an LMS puts on a window around the content (RTE 3.3). */
export interface Scorm12Api {
  LMSInitialize(arg: ''): string;
  LMSFinish(arg: ''): string;
  LMSGetValue(element: string): string;
  LMSSetValue(element: string, value: string): string;
  LMSCommit(arg: ''): string;
  LMSGetLastError(): string;
  LMSGetErrorString(code: string): string;
  LMSGetDiagnostic(code: string): string;
}

/** ADL's reference findAPI gives up after 7 parents; an LMS nests its player a frame or two deep. */
const MAX_HOPS = 7;

type Win = Window & { API?: unknown };

const isApi = (v: unknown): v is Scorm12Api =>
  typeof v === 'object' && v !== null && ['LMSInitialize', 'LMSSetValue', 'LMSGetValue', 'LMSCommit', 'LMSFinish', 'LMSGetLastError'].every((f) => typeof (v as Record<string, unknown>)[f] === 'function');

/** Looks at `start` and up through its parents; a cross-origin frame ends the walk. */
function walk(start: Win): Scorm12Api | null {
  let win: Win = start;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    try {
      if (isApi(win.API)) return win.API;
      if (win.parent === win) return null;
      win = win.parent as Win;
    } catch {
      return null; // a cross-origin parent: reading it throws, and an LMS must serve its API same-origin anyway
    }
  }
  return null;
}

/**
 * Finds the SCORM 1.2 `API` object the standard way: on this window or one of its parents, else on the window
 * that opened this one (an LMS that launches content in a new window) or its parents. Null outside an LMS.
 */
export function findScormApi(self: Window): Scorm12Api | null {
  const found = walk(self as Win);
  if (found) return found;
  try {
    return self.opener ? walk(self.opener as Win) : null;
  } catch {
    return null;
  }
}
