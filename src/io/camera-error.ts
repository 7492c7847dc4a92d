// Its own module, so the error mapper on the home page names it without the camera code.
export type CameraProblem = 'denied' | 'none' | 'busy' | 'unsupported' | 'other';

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem, message: string) {
    super(message);
  }
}
