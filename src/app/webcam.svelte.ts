import { CameraError, listCameras, openCamera, type CameraProblem } from '../io/webcam';

/** One camera stream shared by capture and live prediction. */
class Webcam {
  stream = $state.raw<MediaStream | null>(null);
  cameras = $state.raw<MediaDeviceInfo[]>([]);
  deviceId = $state<string>('');
  problem = $state<CameraProblem | null>(null);
  detail = $state('');
  starting = $state(false);
  /** The preview element frames are grabbed from; set by the preview component. */
  video: HTMLVideoElement | null = null;

  async start(deviceId = this.deviceId): Promise<void> {
    this.stop();
    this.starting = true;
    this.problem = null;
    try {
      this.stream = await openCamera(deviceId || undefined);
      this.deviceId = this.stream.getVideoTracks()[0]?.getSettings().deviceId ?? deviceId;
      this.cameras = await listCameras();
    } catch (err) {
      this.problem = err instanceof CameraError ? err.problem : 'other';
      this.detail = err instanceof Error ? err.message : String(err);
    } finally {
      this.starting = false;
    }
  }

  stop(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
  }

  /** True when the preview has a frame to grab. */
  ready(): boolean {
    return !!this.video && this.video.readyState >= 2 && this.video.videoWidth > 0;
  }
}

export const webcam = new Webcam();
