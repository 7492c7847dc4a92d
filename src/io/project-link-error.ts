// Its own module, so the error mapper on the home page names it without loading the download code.
/** Why an instructor's project link could not be followed: another site, an HTTP status, or no network. */
export type ProjectLinkProblem = 'cross-origin' | 'http' | 'network';

export class ProjectLinkError extends Error {
  constructor(
    readonly problem: ProjectLinkProblem,
    readonly detail = '',
  ) {
    super(`${problem}${detail ? `: ${detail}` : ''}`);
    this.name = 'ProjectLinkError';
  }
}
