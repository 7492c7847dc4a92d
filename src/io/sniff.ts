/** What an uploaded file is, judged by its bytes (names and MIME types lie), before any decoder sees it. */
export type UploadVerdict =
  | { ok: true; format: 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' }
  | { ok: false; reason: 'empty' | 'too-large' | 'svg' | 'unsupported' | 'not-image'; format?: string };

export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** Formats browsers decode but this app does not accept, recognised so the message can name them. */
function otherImageFormat(head: Uint8Array): string | null {
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (/^(heic|heix|hevc|mif1|msf1)$/.test(brand)) return 'HEIC';
    if (/^avi[fs]$/.test(brand)) return 'AVIF';
  }
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00])) return 'ICO';
  return null;
}

/**
 * Classifies a file from its size, declared type and first bytes (64 are plenty).
 * SVG is refused outright: it can carry script and is never rendered here.
 */
export function sniffUpload(size: number, declaredType: string, name: string, head: Uint8Array): UploadVerdict {
  if (size === 0) return { ok: false, reason: 'empty' };
  if (size > MAX_UPLOAD_BYTES) return { ok: false, reason: 'too-large' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { ok: true, format: 'jpeg' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ok: true, format: 'png' };
  if (ascii(head, 0, 4) === 'GIF8') return { ok: true, format: 'gif' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { ok: true, format: 'webp' };
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14) return { ok: true, format: 'bmp' };
  const text = new TextDecoder().decode(head).trimStart().toLowerCase();
  if (declaredType === 'image/svg+xml' || /\.svgz?$/i.test(name) || text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) {
    return { ok: false, reason: 'svg' };
  }
  const other = otherImageFormat(head);
  if (other) return { ok: false, reason: 'unsupported', format: other };
  if (declaredType.startsWith('image/')) return { ok: false, reason: 'unsupported', format: declaredType.slice(6).toUpperCase() };
  return { ok: false, reason: 'not-image' };
}
