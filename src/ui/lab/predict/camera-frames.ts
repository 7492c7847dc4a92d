/**
 * The camera's frames as a running count, so live prediction takes a new frame as soon as the engine is free and
 * never predicts the same frame twice. Where the browser has no requestVideoFrameCallback, each display frame
 * counts as new.
 */
export class CameraFrames {
  private count = 0;
  private handle = 0;
  private wake: (() => void) | null = null;
  private readonly perFrame: boolean;

  constructor(readonly video: HTMLVideoElement) {
    this.perFrame = 'requestVideoFrameCallback' in video;
    if (this.perFrame) this.handle = video.requestVideoFrameCallback(this.tick);
  }

  private readonly tick = () => {
    this.count++;
    this.wake?.();
    this.handle = this.video.requestVideoFrameCallback(this.tick);
  };

  /**
   * The newest frame's number once it is newer than `seen`: at once when one arrived meanwhile (the engine was the
   * slower one), else at the camera's next frame, or after 250 ms if the camera stalls.
   */
  next(seen: number): Promise<number> {
    if (!this.perFrame) return new Promise((r) => requestAnimationFrame(() => r(++this.count)));
    if (this.count > seen) return Promise.resolve(this.count);
    return new Promise((r) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        r(this.count);
      };
      const timer = setTimeout(done, 250);
      this.wake = done;
    });
  }

  stop(): void {
    if (this.perFrame) this.video.cancelVideoFrameCallback(this.handle);
    this.wake?.();
  }
}
