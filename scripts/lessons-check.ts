/**
 * npm run lessons:check — validates every lesson and quiz under lessons/ (see lessons/README.md).
 * Prints each quiz's answer-position distribution and one summary line; on problems, one line per problem (file [question/option]: message) and exits 1.
 * Usage: tsx scripts/lessons-check.ts [lessons-dir]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGS } from '../src/lessons/types';
import { formatStats } from '../src/lessons/gaming';
import { formatIssue, validateLessons } from '../src/lessons/validate';

const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), '../../lessons'));

/** The same keys Vite's import.meta.glob gives the app: '/lessons/chapters.yaml', '/lessons/<id>/<file>'. */
function collect(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const isContent = (name: string) => /\.(md|ya?ml)$/.test(name);
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      for (const inner of readdirSync(full)) {
        if (isContent(inner) && statSync(join(full, inner)).isFile()) files[`/lessons/${name}/${inner}`] = readFileSync(join(full, inner), 'utf8');
      }
    } else if (name === 'chapters.yaml') {
      files['/lessons/chapters.yaml'] = readFileSync(full, 'utf8');
    }
  }
  return files;
}

const report = validateLessons(collect(root));
const words = Object.entries(report.words)
  .map(([id, w]) => `${id} ${LANGS.map((l) => w[l] ?? 0).join('/')}`)
  .join(', ');

// Where the right answers sit, so an author sees a pattern before a learner does.
console.log('answer positions (pt-BR quiz; correct flags are the same in every language):');
for (const [id, byLang] of Object.entries(report.quizStats)) {
  const first = byLang[LANGS[0]];
  if (first) console.log(`  ${id}: ${formatStats(first)}`);
  for (const lang of LANGS.slice(1)) {
    const other = byLang[lang];
    if (other) {
      const line = `right option longest in ${other.longestCorrect}/${other.singles} · length right/wrong ${other.lengthRatio.toFixed(2)} · absolute words right/wrong ${other.absolute.right}/${other.absolute.wrong}`;
      console.log(`  ${' '.repeat(id.length)}  ${lang}: ${line}`);
    }
  }
}

if (report.issues.length > 0) {
  for (const issue of report.issues) console.error(`✗ ${formatIssue(issue)}`);
  console.error(`lessons:check failed: ${report.issues.length} problem${report.issues.length === 1 ? '' : 's'} in ${root}`);
  process.exit(1);
}
console.log(
  `lessons:check ok: ${report.chapters} chapters × ${LANGS.length} languages (${LANGS.join(', ')}), ${report.questions} questions per language, ${report.widgets} widgets; words ${LANGS.join('/')}: ${words}`,
);
