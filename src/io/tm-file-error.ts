// Its own module, so the error mapper on the home page names it without loading the zip code (fflate).
/** Why a Teachable Machine model is refused (model-limits' problems come through as they are); the UI has a message for each. */
export type TmProblem = 'missing-model-json' | 'missing-metadata' | 'missing-weights' | 'bad-zip' | 'bad-metadata' | 'labels-mismatch' | 'bad-input';

export class TmFileError extends Error {
  constructor(
    readonly problem: TmProblem,
    detail: string,
  ) {
    super(`${problem}: ${detail}`);
    this.name = 'TmFileError';
  }
}
