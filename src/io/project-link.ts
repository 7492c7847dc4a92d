import { ProjectFileError } from './project-file-error';
import { LIMITS } from './project-file';
import { ProjectLinkError } from './project-link-error';

/**
 * The project zip a link names (`#/lab?project=projects/flowers.zip`), relative to the site the app is served from.
 * Same origin only: a link must not make the lab fetch from, or vouch for, another site.
 */
export function projectLinkUrl(link: string, base: string, origin: string): URL {
  let url: URL;
  try {
    url = new URL(link, base);
  } catch {
    throw new ProjectLinkError('cross-origin', link);
  }
  if (url.origin !== origin || !/^https?:$/.test(url.protocol)) throw new ProjectLinkError('cross-origin', link);
  return url;
}

/** Downloads the linked zip, reporting bytes as they come; larger than an import may unpack is refused early. */
export async function downloadProject(url: URL, onProgress: (loaded: number, total: number | null) => void): Promise<Blob> {
  let res: Response;
  try {
    // Revalidated each time: an instructor may replace the zip behind the same link.
    res = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
  } catch (err) {
    throw new ProjectLinkError('network', err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) throw new ProjectLinkError('http', String(res.status));
  const declared = Number(res.headers.get('content-length'));
  const total = Number.isFinite(declared) && declared > 0 ? declared : null;
  const tooLarge = () => new ProjectFileError('too-large', String(LIMITS.unpackedBytes / 1024 / 1024));
  if (total !== null && total > LIMITS.unpackedBytes) throw tooLarge();
  if (!res.body) return res.blob();
  const parts: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (err) {
      throw new ProjectLinkError('network', err instanceof Error ? err.message : String(err));
    }
    if (chunk.done) break;
    parts.push(chunk.value);
    loaded += chunk.value.byteLength;
    if (loaded > LIMITS.unpackedBytes) {
      void reader.cancel();
      throw tooLarge();
    }
    onProgress(loaded, total);
  }
  return new Blob(parts as BlobPart[], { type: 'application/zip' });
}
