import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES, sniffUpload } from './sniff';

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
