// Packages the built app (dist/) as one SCORM 1.2 SCO: imsmanifest.xml at the root listing every file, ADL's
// schema files beside it, the instructor's mastery score in the manifest (and in index.html for an LMS that
// does not pass it on). The app needs nothing different inside an LMS: it finds the LMS's API at run time.
// Usage: tsx scripts/scorm/package.ts [--dist dist] [--out dist-scorm/transfer-lab-scorm12.zip] [--mastery 70] [--title "Transfer Lab"]
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync, type Zippable } from 'fflate';

export const MANIFEST = 'imsmanifest.xml';
export const SCHEMA_DIR = resolve(import.meta.dirname, 'schemas');
/** SCORM 1.2 requires these control documents, unmodified, at the package's root. */
export const SCHEMAS = ['imscp_rootv1p1p2.xsd', 'adlcp_rootv1p2.xsd', 'imsmd_rootv1p2p1.xsd', 'ims_xml.xsd'];
export const DEFAULT_OUT = 'dist-scorm/transfer-lab-scorm12.zip';
export const DEFAULT_MASTERY = 70;
/** The benchmark's page is a developer's tool, not part of the course. */
const LEFT_OUT = new Set(['bench.html']);
/** Already compressed: stored as they are, which also keeps packaging fast. */
const STORED = /\.(jpe?g|png|gif|webp|woff2?|zip|gz)$/i;

export interface ScormOptions {
  dist?: string;
  out?: string;
  mastery?: number;
  title?: string;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** An href is a relative URI: each path segment percent-encoded, the slashes kept. */
const href = (path: string) => xml(path.split('/').map(encodeURIComponent).join('/'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

export function manifestXml(files: string[], mastery: number, title: string, version: string): string {
  const list = (paths: string[]) => paths.map((f) => `      <file href="${href(f)}"/>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="transfer-lab" version="${xml(version)}"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="transfer-lab-course">
    <organization identifier="transfer-lab-course">
      <title>${xml(title)}</title>
      <item identifier="transfer-lab-item" identifierref="transfer-lab-app" isvisible="true">
        <title>${xml(title)}</title>
        <adlcp:masteryscore>${mastery}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="transfer-lab-app" type="webcontent" adlcp:scormtype="sco" href="index.html">
${list(files)}
    </resource>
    <resource identifier="scorm-schemas" type="webcontent" adlcp:scormtype="asset">
${list(SCHEMAS)}
    </resource>
  </resources>
</manifest>
`;
}

/** Writes the package; returns where, and the files it holds (manifest included). */
export function packageScorm(options: ScormOptions = {}): { out: string; entries: string[] } {
  const dist = resolve(options.dist ?? 'dist');
  const out = resolve(options.out ?? DEFAULT_OUT);
  const mastery = options.mastery ?? DEFAULT_MASTERY;
  if (!Number.isFinite(mastery) || mastery < 0 || mastery > 100) throw new Error(`the mastery score must be a number from 0 to 100, not ${mastery}`);
  const title = options.title?.trim() || 'Transfer Lab';
  const version = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

  let index: string;
  try {
    index = readFileSync(join(dist, 'index.html'), 'utf8');
  } catch {
    throw new Error(`${dist}/index.html not found: run npm run build first`);
  }
  // An LMS serves the package from a folder of its own choosing: every URL of the build must be relative.
  if (/(src|href)="\/[^/]/.test(index)) throw new Error('dist/ was built with an absolute BASE_PATH; build with the default relative base');
  index = index.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta name="scorm-mastery-score" content="${mastery}" />`);

  const files = filesUnder(dist).filter((f) => !LEFT_OUT.has(f) && f !== MANIFEST && !SCHEMAS.includes(f));
  const zip: Zippable = {};
  for (const f of files) {
    const bytes = f === 'index.html' ? new TextEncoder().encode(index) : readFileSync(join(dist, f));
    zip[f] = [bytes, { level: STORED.test(f) ? 0 : 6 }];
  }
  for (const s of SCHEMAS) zip[s] = [readFileSync(join(SCHEMA_DIR, s)), { level: 6 }];
  zip[MANIFEST] = [new TextEncoder().encode(manifestXml(files, mastery, title, version)), { level: 6 }];
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zipSync(zip));
  return { out, entries: Object.keys(zip) };
}

function args(argv: string[]): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) if (argv[i].startsWith('--')) pairs[argv[i].slice(2)] = argv[++i] ?? '';
  return pairs;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const a = args(process.argv.slice(2));
  const mastery = a.mastery ?? process.env.SCORM_MASTERY;
  try {
    const started = Date.now();
    const { out, entries } = packageScorm({ dist: a.dist, out: a.out, title: a.title, mastery: mastery === undefined ? undefined : Number(mastery) });
    console.log(`SCORM 1.2 package: ${relative(process.cwd(), out)} (${entries.length} files, mastery score ${mastery ?? DEFAULT_MASTERY}) in ${Date.now() - started} ms`);
  } catch (err) {
    console.error(`build:scorm: ${(err as Error).message}`);
    process.exit(1);
  }
}
