import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { MAX_UPLOAD_BYTES, imageSize, sniffUpload } from './sniff';

const bytes = (...v: (number | string)[]) =>
  new Uint8Array(v.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])));
const pad = (b: Uint8Array) => {
  const out = new Uint8Array(64);
  out.set(b);
  return out;
};

describe('sniffUpload', () => {
  it('accepts the five formats by their magic bytes, whatever the name says', () => {
    expect(sniffUpload(10, '', 'a.txt', pad(bytes(0xff, 0xd8, 0xff, 0xe0)))).toEqual({ ok: true, format: 'jpeg' });
    expect(sniffUpload(10, '', 'x', pad(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a)))).toEqual({ ok: true, format: 'png' });
    expect(sniffUpload(10, '', 'x', pad(bytes('GIF89a')))).toEqual({ ok: true, format: 'gif' });
    expect(sniffUpload(10, '', 'x', pad(bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 ')))).toEqual({ ok: true, format: 'webp' });
    expect(sniffUpload(10, '', 'x', pad(bytes('BM')))).toEqual({ ok: true, format: 'bmp' });
  });
  it('names each kind of bad file', () => {
    expect(sniffUpload(0, 'image/png', 'e.png', new Uint8Array())).toMatchObject({ reason: 'empty' });
    expect(sniffUpload(MAX_UPLOAD_BYTES + 1, 'image/jpeg', 'big.jpg', pad(bytes(0xff, 0xd8, 0xff)))).toMatchObject({ reason: 'too-large' });
    expect(sniffUpload(40, 'image/svg+xml', 'x.svg', pad(bytes('<svg onload="alert(1)">')))).toMatchObject({ reason: 'svg' });
    expect(sniffUpload(40, '', 'x.bin', pad(bytes('<?xml version="1.0"?><svg>')))).toMatchObject({ reason: 'svg' });
    expect(sniffUpload(40, 'image/tiff', 'x.tif', pad(bytes('II*', 0)))).toMatchObject({ reason: 'unsupported', format: 'TIFF' });
    expect(sniffUpload(40, '', 'x.heic', pad(bytes(0, 0, 0, 24, 'ftypheic')))).toMatchObject({ reason: 'unsupported', format: 'HEIC' });
    expect(sniffUpload(40, 'text/plain', 'notes.txt', pad(bytes('hello world')))).toMatchObject({ reason: 'not-image' });
  });
});

describe('imageSize', () => {
  it('reads the declared size of PNG and JPEG files without decoding them', () => {
    // Signature, then the IHDR chunk: length 13, type, width and height as big-endian 32-bit integers.
    const png = pad(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'IHDR', 0, 0, 0x27, 0x10, 0, 0, 0x1b, 0x58, 8, 6));
    expect(imageSize('png', png)).toEqual({ width: 10000, height: 7000 });
    const jpg = jpeg.encode({ width: 33, height: 21, data: Buffer.alloc(33 * 21 * 4, 128) }, 80).data;
    expect(imageSize('jpeg', new Uint8Array(jpg))).toEqual({ width: 33, height: 21 });
  });
  it('reads GIF, BMP and the three WebP flavours', () => {
    expect(imageSize('gif', pad(bytes('GIF89a', 0x10, 0x27, 0x20, 0x03)))).toEqual({ width: 10000, height: 800 });
    const bmp = pad(bytes('BM'));
    new DataView(bmp.buffer).setInt32(18, 640, true);
    new DataView(bmp.buffer).setInt32(22, -480, true);
    expect(imageSize('bmp', bmp)).toEqual({ width: 640, height: 480 });
    const vp8x = pad(bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8X'));
    vp8x.set([0x3f, 0x1f, 0x00, 0x9f, 0x0f, 0x00], 24);
    expect(imageSize('webp', vp8x)).toEqual({ width: 8000, height: 4000 });
    const vp8l = pad(bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8L'));
    const bits = 99 | (49 << 14);
    vp8l.set([0x2f, bits & 255, (bits >> 8) & 255, (bits >> 16) & 255, (bits >> 24) & 255], 20);
    expect(imageSize('webp', vp8l)).toEqual({ width: 100, height: 50 });
    const vp8 = pad(bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '));
    vp8.set([0x40, 0x01, 0xf0, 0x00], 26);
    expect(imageSize('webp', vp8)).toEqual({ width: 320, height: 240 });
  });
  it('gives null for a header cut short or a JPEG with no frame', () => {
    expect(imageSize('png', bytes(0x89, 'PNG'))).toBeNull();
    expect(imageSize('jpeg', pad(bytes(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'JFIF')))).toBeNull();
    expect(imageSize('jpeg', bytes(0xff, 0xd8, 0xff, 0xd9))).toBeNull();
  });
});
