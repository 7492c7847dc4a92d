// Its own module, so the error mapper on the home page names it without the checks themselves.
/** Why a model's files are refused; the UI has a message for each. */
export type ModelLimitProblem = 'too-large' | 'not-json' | 'not-float32' | 'weights-mismatch' | 'long-strings' | 'missing-weights';

export class ModelLimitError extends Error {
  constructor(
    readonly problem: ModelLimitProblem,
    detail: string,
  ) {
    super(`${problem}: ${detail}`);
    this.name = 'ModelLimitError';
  }
}
