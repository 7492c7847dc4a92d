import { CameraError, listCameras, openCamera, type CameraProblem } from '../io/webcam';

/** Problems the camera can have once it runs: its track ended (unplugged, permission revoked), or the tab was hidden. */
export type WebcamProblem = CameraProblem | 'ended' | 'hidden';

/** One camera stream shared by capture and live prediction. */
class Webcam {
  stream = $state.raw<MediaStream | null>(null);
  cameras = $state.raw<MediaDeviceInfo[]>([]);
  deviceId = $state<string>('');
  problem = $state<WebcamProblem | null>(null);
  starting = $state(false);
  /** Seconds before a capture starts (0: none), shown large over the preview for someone away from the screen. */
  countdown = $state(0);
  /** The preview element frames are grabbed from; set by the preview component. */
  video: HTMLVideoElement | null = null;

  async start(deviceId = this.deviceId): Promise<void> {
    this.stop();
    this.starting = true;
    this.problem = null;
    try {
      const asked = ++this.generation;
      const stream = await openCamera(deviceId || undefined);
      // Stopped (the lab was left) while the browser was still opening the camera: close it at once.
      if (asked !== this.generation) {
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      this.watch(stream);
      this.stream = stream;
      this.deviceId = this.stream.getVideoTracks()[0]?.getSettings().deviceId ?? deviceId;
      this.cameras = await listCameras();
    } catch (err) {
      this.problem = err instanceof CameraError ? err.problem : 'other';
    } finally {
      this.starting = false;
    }
  }

  stop(): void {
    this.generation++;
    const stream = this.stream;
    this.stream = null;
    stream?.getTracks().forEach((t) => t.stop());
  }

  /** A track that ends on its own says so; stop() ends tracks without this event, so it never fires for us. */
  private watch(stream: MediaStream): void {
    for (const track of stream.getVideoTracks()) {
      track.addEventListener('ended', () => {
        if (this.stream !== stream) return;
        this.stop();
        this.problem = 'ended';
      });
    }
    this.hideGuard ??= () => {
      // A hidden tab keeps no camera on: the light goes off, and nothing is recorded unseen.
      if (document.visibilityState === 'hidden' && this.stream) {
        this.stop();
        this.problem = 'hidden';
      }
    };
    document.addEventListener('visibilitychange', this.hideGuard);
  }
  private hideGuard: (() => void) | null = null;
  private generation = 0;

  /** True when the preview has a frame to grab. */
  ready(): boolean {
    return !!this.video && this.video.readyState >= 2 && this.video.videoWidth > 0;
  }
}

export const webcam = new Webcam();
