import { shortHash } from './hash';

/**
 * A storage name for one package and one learner. The package is its folder on the LMS, less a trailing
 * all-digit folder: Moodle serves a package from …/mod_scorm/content/<revision>/, and updating the package must
 * not hide the learners' projects. The learner (cmi.core.student_id) keeps two students on one lab computer apart.
 */
export function packageNamespace(pathname: string, learner: string): string {
  const folder = pathname.replace(/[^/]*$/, '').replace(/\/\d+\/$/, '/');
  return shortHash(`${folder}|${learner}`);
}
