import { SERVER_HEADERS } from '../scripts/csp.mjs';

/**
 * The response with what README asks of a server (COOP/COEP, so the page and its workers are cross-origin
 * isolated; the CSP, so the engine's worker has one too) added where the host sent none: a host's own value wins.
 * Opaque responses cannot be read or rebuilt and pass through.
 */
export function withServerHeaders(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.type === 'error') return response;
  const missing = Object.entries(SERVER_HEADERS).filter(([name]) => !response.headers.has(name));
  if (missing.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of missing) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
