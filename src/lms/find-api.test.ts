import { describe, expect, it } from 'vitest';
import { findScormApi } from './find-api';

const api = () => Object.fromEntries(['LMSInitialize', 'LMSFinish', 'LMSGetValue', 'LMSSetValue', 'LMSCommit', 'LMSGetLastError', 'LMSGetErrorString', 'LMSGetDiagnostic'].map((f) => [f, () => '']));

/** A chain of windows, top first; each knows its parent as a browser's frames do. */
function frames(depth: number, apiAt: number | null, opener: object | null = null): Window {
  let parent: Record<string, unknown> | null = null;
  let win: Record<string, unknown> = {};
  for (let i = 0; i <= depth; i++) {
    win = { opener: i === depth ? opener : null };
    win.parent = parent ?? win;
    if (i === apiAt) win.API = api();
    parent = win;
  }
  return win as unknown as Window;
}

describe('finding the SCORM 1.2 API', () => {
  it('finds it on a parent a few frames up, as Moodle nests its player', () => {
    expect(findScormApi(frames(1, 0))).not.toBeNull();
    expect(findScormApi(frames(3, 1))).not.toBeNull();
  });

  it('finds nothing at the top level or too far up, and stops at a cross-origin frame', () => {
    expect(findScormApi(frames(0, null))).toBeNull();
    expect(findScormApi(frames(9, 0))).toBeNull();
    const foreign = frames(1, null) as unknown as Record<string, unknown>;
    foreign.parent = new Proxy({}, { get: () => { throw new DOMException('Blocked a frame', 'SecurityError'); } });
    expect(findScormApi(foreign as unknown as Window)).toBeNull();
  });

  it('looks at the window that opened this one when the LMS launches a new window', () => {
    expect(findScormApi(frames(0, null, frames(1, 0)))).not.toBeNull();
  });

  it('ignores an API that is not a SCORM 1.2 one', () => {
    const w = frames(1, null) as unknown as { parent: { API: unknown } };
    w.parent.API = { Initialize: () => 'true' };
    expect(findScormApi(w as unknown as Window)).toBeNull();
  });
});
