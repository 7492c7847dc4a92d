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

/** Largest image accepted, in pixels: a 40 MP photo already takes 160 MB once decoded to RGBA. */
export const MAX_PIXELS = 40_000_000;

/** Bytes read from the start of a file to find its dimensions (a JPEG's size can sit behind a large EXIF block). */
export const HEADER_BYTES = 1024 * 1024;

type Format = Extract<UploadVerdict, { ok: true }>['format'];

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
const i32le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);

/** A JPEG's frame size: walk the marker segments to the first SOFn (baseline, progressive, lossless, arithmetic). */
function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    // Fill bytes and standalone markers carry no length.
    if (marker === 0xff) { i++; continue; }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    if (marker === 0xd9 || marker === 0xda) return null;
    i += 2 + u16be(b, i + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  const chunk = ascii(b, 12, 16);
  if (chunk === 'VP8X' && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ' && b.length >= 30) return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  return null;
}

/**
 * Width and height as the file's header declares them, read without decoding a pixel — so a
 * decompression bomb (a tiny file that declares 100 MP) is refused before the browser allocates it.
 * Null when the header is cut short or malformed.
 */
export function imageSize(format: Format, b: Uint8Array): { width: number; height: number } | null {
  let size: { width: number; height: number } | null = null;
  if (format === 'png' && b.length >= 24 && ascii(b, 12, 16) === 'IHDR') size = { width: u32be(b, 16), height: u32be(b, 20) };
  else if (format === 'gif' && b.length >= 10) size = { width: u16le(b, 6), height: u16le(b, 8) };
  else if (format === 'bmp' && b.length >= 26) size = { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  else if (format === 'webp') size = webpSize(b);
  else if (format === 'jpeg') size = jpegSize(b);
  return size && size.width > 0 && size.height > 0 ? size : null;
}
