import { existsSync, readFileSync, statSync } from 'node:fs';

/**
 * The CSP reports a test server received (`static-server.mjs --csp-log FILE`: one `csp-report <json>` line each),
 * from byte `from` of its log on.
 */
export function cspReports(file: string, from = 0): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file).subarray(from).toString('utf8').split('\n').filter(Boolean);
}

/** Where the log ends now: reports from here on are the next ones. */
export const cspLogEnd = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

/** The documentation address (TEST-NET-1) a test requests on purpose to show that CSP reports arrive. */
export const CSP_CANARY = '192.0.2.1';
