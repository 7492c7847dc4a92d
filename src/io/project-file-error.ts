// Its own module, so the error mapper on the home page names it without loading the zip code (fflate).
export type ProjectFileProblem = 'not-zip' | 'foreign' | 'version' | 'invalid' | 'too-large' | 'photo';

export class ProjectFileError extends Error {
  constructor(
    readonly problem: ProjectFileProblem,
    readonly detail = '',
    readonly file = '',
  ) {
    super(`${problem}${detail ? `: ${detail}` : ''}`);
    this.name = 'ProjectFileError';
  }
}
