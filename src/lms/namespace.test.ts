import { describe, expect, it } from 'vitest';
import { packageNamespace } from './namespace';

describe('storage namespace per package and learner', () => {
  it('tells two packages and two learners apart', () => {
    const a = packageNamespace('/pluginfile.php/101/mod_scorm/content/1/index.html', 's1');
    expect(packageNamespace('/pluginfile.php/202/mod_scorm/content/1/index.html', 's1')).not.toBe(a);
    expect(packageNamespace('/pluginfile.php/101/mod_scorm/content/1/index.html', 's2')).not.toBe(a);
  });

  it('keeps a package updated in Moodle (a new revision folder) on the same storage', () => {
    expect(packageNamespace('/pluginfile.php/101/mod_scorm/content/4/index.html', 's1')).toBe(packageNamespace('/pluginfile.php/101/mod_scorm/content/1/index.html', 's1'));
    expect(packageNamespace('/courses/ml/index.html', 's1')).toBe(packageNamespace('/courses/ml/', 's1'));
  });
});
