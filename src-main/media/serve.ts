/**
 * Serves one session media file as a transport-neutral response, plus adapters for Electron's
 * `protocol.handle` (a WHATWG `Response`) and for `node:http`.
 */
import { constants as fsConstants } from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { finished, pipeline, Readable } from 'node:stream';
import { parseRange } from './range';
import { resolveMediaPath } from './resolve';

export interface MediaResponse {
  status: number;
  headers: Record<string, string>;
  /** `null` for HEAD and for responses without a body. */
  body: Readable | null;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.aac': 'audio/aac',
  '.wav': 'audio/wav',
  '.json': 'application/json; charset=utf-8',
  '.vtt': 'text/vtt; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

function textResponse(
  status: number,
  text: string,
  head: boolean,
  extra: Record<string, string> = {},
): MediaResponse {
  const buf = Buffer.from(text + '\n', 'utf8');
  return {
    status,
    headers: {
      ...COMMON_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(buf.length),
      ...extra,
    },
    body: head ? null : Readable.from([buf]),
  };
}

/** O_NOFOLLOW: the resolved path has no symlinks; refuse one swapped in since (POSIX only). */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

/**
 * `method` is typed as a string so transports can pass the request method straight through;
 * anything but GET and HEAD gets 405.
 */
export async function openMedia(
  rootDir: string,
  requested: string,
  rangeHeader: string | null | undefined,
  method: string = 'GET',
): Promise<MediaResponse> {
  const head = method === 'HEAD';
  if (method !== 'GET' && !head) {
    return textResponse(405, 'method not allowed', false, { Allow: 'GET, HEAD' });
  }
  const resolved = await resolveMediaPath(rootDir, requested);
  if (!resolved.ok) return textResponse(resolved.status, resolved.reason, head);

  let fh: FileHandle;
  try {
    fh = await fsp.open(resolved.path, OPEN_FLAGS);
  } catch {
    return textResponse(404, 'not found', head);
  }
  let size: number;
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      return textResponse(404, 'not a regular file', head);
    }
    size = st.size;
  } catch {
    await fh.close().catch(() => undefined);
    return textResponse(404, 'not found', head);
  }

  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    await fh.close();
    return textResponse(416, 'range not satisfiable', head, {
      'Accept-Ranges': 'bytes',
      'Content-Range': `bytes */${size}`,
    });
  }

  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const length = size === 0 ? 0 : end - start + 1;
  const headers: Record<string, string> = {
    ...COMMON_HEADERS,
    'Content-Type': contentTypeFor(resolved.path),
    'Content-Length': String(length),
    'Accept-Ranges': 'bytes',
  };
  if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  const status = range.kind === 'partial' ? 206 : 200;

  if (head || length === 0) {
    await fh.close();
    return { status, headers, body: head ? null : Readable.from([]) };
  }
  // The stream owns the handle from here on and closes it when it ends or is destroyed.
  return { status, headers, body: fh.createReadStream({ start, end, autoClose: true }) };
}

/** Adapter for Electron's `protocol.handle`. */
export function toWebResponse(m: MediaResponse): Response {
  const body = m.body === null ? null : Readable.toWeb(m.body);
  return new Response(body, { status: m.status, headers: m.headers });
}

/**
 * Adapter for `node:http`: writes the head, pipes the body, and destroys the file stream when the
 * client goes away early (the pipeline propagates the response's premature close). Resolves when
 * the response is finished or abandoned; never rejects. `onError` hears about read errors, not
 * about clients that hang up.
 */
export function sendMediaResponse(
  res: ServerResponse,
  m: MediaResponse,
  onError?: (err: Error) => void,
): Promise<void> {
  return new Promise((resolve) => {
    try {
      if (!res.headersSent) res.writeHead(m.status, m.headers);
    } catch (err) {
      m.body?.destroy();
      onError?.(err as Error);
      resolve();
      return;
    }
    if (m.body === null) {
      res.end();
      finished(res, () => resolve());
      return;
    }
    pipeline(m.body, res, (err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        onError?.(err);
      }
      resolve();
    });
  });
}
