import { describe, expect, it } from 'vitest';
import { HEADER_CSP } from '../scripts/csp.mjs';
import { withServerHeaders } from './sw-headers';

describe('withServerHeaders', () => {
  it('adds COOP same-origin, COEP require-corp and the CSP, keeping status, other headers and body', async () => {
    const out = withServerHeaders(new Response('<!doctype html>', { status: 200, statusText: 'OK', headers: { 'Content-Type': 'text/html' } }));
    expect(out.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(out.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(out.headers.get('Content-Security-Policy')).toBe(HEADER_CSP);
    expect(out.headers.get('Content-Type')).toBe('text/html');
    expect(out.status).toBe(200);
    expect(await out.text()).toBe('<!doctype html>');
  });

  it("leaves a host's own headers as they are", () => {
    const sent = new Response('x', {
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless', 'Content-Security-Policy': "default-src 'self'" },
    });
    const out = withServerHeaders(sent);
    expect(out).toBe(sent);
    expect(out.headers.get('Cross-Origin-Embedder-Policy')).toBe('credentialless');
  });

  it('completes a host that sends only some of them', () => {
    const out = withServerHeaders(new Response('x', { headers: { 'Cross-Origin-Opener-Policy': 'same-origin' } }));
    expect(out.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(out.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });
});

describe('HEADER_CSP', () => {
  it('is the meta policy plus blob: for the wasm threads (worker-src and script-src), nothing else', async () => {
    const { CSP } = await import('../scripts/csp.mjs');
    const directives = (p: string) => Object.fromEntries(p.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    const meta = directives(CSP);
    const header = directives(HEADER_CSP);
    expect(Object.keys(header)).toEqual(Object.keys(meta));
    for (const [name, sources] of Object.entries(header)) {
      const added = sources.filter((s) => !meta[name].includes(s));
      expect(added, name).toEqual(['worker-src', 'script-src'].includes(name) ? ['blob:'] : []);
    }
  });
});
