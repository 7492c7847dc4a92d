/** Camera access, with errors turned into reasons the UI can name. */
import { CameraError, type CameraProblem } from './camera-error';

export { CameraError, type CameraProblem } from './camera-error';

export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
}

export async function openCamera(deviceId?: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported', 'getUserMedia is not available (an http:// page other than localhost cannot use the camera)');
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { deviceId: deviceId ? { exact: deviceId } : undefined, width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
  } catch (err) {
    const name = err instanceof DOMException ? err.name : '';
    const problem: CameraProblem =
      name === 'NotAllowedError' || name === 'SecurityError' ? 'denied'
      : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'none'
      : name === 'NotReadableError' ? 'busy'
      : 'other';
    throw new CameraError(problem, err instanceof Error ? err.message : String(err));
  }
}
