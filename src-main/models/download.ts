/**
 * Resumable, verified HTTP(S) download of one file: bytes go to `<dest>.part`, a later call
 * resumes it with a Range request, and only a file with the expected size and sha256 is renamed
 * to `dest`. Only ever run on an explicit user action (`liveslice models pull`, the UI button).
 */
import { open, rename, stat, unlink, mkdir } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';
import { verifyFile } from './verify';

export interface DownloadOptions {
  /** Expected size and sha256. Without them (an archive whose hash is not published) the file is kept as is. */
  bytes?: number | undefined;
  sha256?: string | undefined;
  /** Called as bytes arrive; `total` is null while unknown. */
  onProgress?: ((received: number, total: number | null) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Fail when no byte arrives for this long (default 30 s), connecting included. */
  stallTimeoutMs?: number | undefined;
  maxRedirects?: number | undefined;
}

export type DownloadErrorKind =
  'http' | 'network' | 'stalled' | 'aborted' | 'redirect' | 'incomplete' | 'size' | 'hash';

export class DownloadError extends Error {
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function sizeOf(path: string): Promise<number> {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * GET with redirects (http/https only, at most `maxRedirects`). Resolves with the final response
 * and a `destroy` that aborts it; a stall timer covers connecting and waiting for headers.
 */
function get(
  url: string,
  headers: Record<string, string>,
  opts: { maxRedirects: number; stallTimeoutMs: number; signal?: AbortSignal | undefined },
): Promise<{ res: IncomingMessage; url: string; destroy: (err: Error) => void }> {
  return new Promise((resolve, reject) => {
    let hops = 0;
    const attempt = (current: string): void => {
      let u: URL;
      try {
        u = new URL(current);
      } catch {
        reject(new DownloadError('redirect', `invalid URL '${current}'`, url));
        return;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        reject(new DownloadError('redirect', `refusing ${u.protocol} URL ${current}`, url));
        return;
      }
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
        method: 'GET',
        headers: { 'user-agent': 'LiveSlice model manager', ...headers },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const timer = setTimeout(
        () =>
          req.destroy(
            new DownloadError('stalled', `no response within ${opts.stallTimeoutMs} ms`, current),
          ),
        opts.stallTimeoutMs,
      );
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(classify(err, current, opts.signal));
      });
      req.on('response', (res) => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location) {
          res.resume();
          if (++hops > opts.maxRedirects) {
            reject(new DownloadError('redirect', `more than ${opts.maxRedirects} redirects`, url));
            return;
          }
          attempt(new URL(location, current).toString());
          return;
        }
        resolve({ res, url: current, destroy: (err) => req.destroy(err) });
      });
      req.end();
    };
    attempt(url);
  });
}

function classify(err: unknown, url: string, signal?: AbortSignal): DownloadError {
  if (err instanceof DownloadError) return err;
  if (signal?.aborted) return new DownloadError('aborted', 'download cancelled', url);
  const e = err as NodeJS.ErrnoException;
  return new DownloadError('network', `${e.code ?? ''} ${e.message ?? String(err)}`.trim(), url);
}

/** Parses `bytes a-b/total`; null when absent or malformed. */
function contentRangeStart(v: string | undefined): { start: number; total: number | null } | null {
  const m = v ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(v.trim()) : null;
  if (!m) return null;
  return { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

/**
 * Downloads `url` to `dest` through `dest + '.part'`. Resumes an existing .part with
 * `Range: bytes=<size>-` (206 → append, 200 → restart, 416 → verify what is there). Verifies
 * size and sha256 (when given) before the atomic rename; a wrong file deletes the .part.
 * An interrupted download (network error, stall, cancel) keeps the .part for the next call.
 */
export async function downloadFile(
  url: string,
  dest: string,
  opts: DownloadOptions = {},
): Promise<void> {
  const part = `${dest}.part`;
  const stallTimeoutMs = opts.stallTimeoutMs ?? 30_000;
  const maxRedirects = opts.maxRedirects ?? 5;
  await mkdir(dirname(dest), { recursive: true });
  if (opts.signal?.aborted) throw new DownloadError('aborted', 'download cancelled', url);

  // Restarting from zero happens at most once (a 416 on a bad .part, a server ignoring Range…).
  for (let round = 0; round < 2; round++) {
    let have = await sizeOf(part);
    if (opts.bytes !== undefined && have > opts.bytes) {
      await removeQuietly(part);
      have = 0;
    }
    if (opts.bytes !== undefined && have === opts.bytes) {
      if (await finish(url, part, dest, opts, false)) return;
      continue; // the complete-looking .part was wrong and is gone: fetch it again
    }

    const { res, destroy } = await get(url, have > 0 ? { range: `bytes=${have}-` } : {}, {
      maxRedirects,
      stallTimeoutMs,
      signal: opts.signal,
    });
    const status = res.statusCode ?? 0;
    if (status === 416 && have > 0) {
      res.resume();
      if (await finish(url, part, dest, opts, false)) return;
      continue;
    }
    let append: boolean;
    let total: number | null = opts.bytes ?? null;
    const length = Number(res.headers['content-length']);
    if (status === 206 && have > 0) {
      const range = contentRangeStart(res.headers['content-range']);
      if (!range || range.start !== have) {
        res.resume();
        destroy(new Error('unexpected range'));
        await removeQuietly(part);
        continue;
      }
      append = true;
      total ??= range.total;
    } else if (status === 200) {
      append = false;
      have = 0;
      if (total === null && Number.isFinite(length)) total = length;
    } else {
      res.resume();
      throw new DownloadError('http', `HTTP ${status} from ${url}`, url);
    }

    const fh = await open(part, append ? 'a' : 'w');
    let received = have;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () => res.destroy(new DownloadError('stalled', `no data for ${stallTimeoutMs} ms`, url)),
        stallTimeoutMs,
      );
    };
    try {
      arm();
      opts.onProgress?.(received, total);
      for await (const chunk of res) {
        arm();
        const buf = chunk as Buffer;
        await fh.write(buf);
        received += buf.length;
        opts.onProgress?.(received, total);
      }
    } catch (err) {
      throw classify(err, url, opts.signal);
    } finally {
      clearTimeout(timer);
      await fh.close();
    }
    if (opts.signal?.aborted) throw new DownloadError('aborted', 'download cancelled', url);
    if (await finish(url, part, dest, opts, true)) return;
  }
  throw new DownloadError('hash', `could not get a good copy of ${url}`, url);
}

/**
 * Verifies the .part and renames it into place. Returns false when it was wrong and deleted
 * (the caller may fetch again); throws when the server keeps sending a wrong or short file.
 */
async function finish(
  url: string,
  part: string,
  dest: string,
  opts: DownloadOptions,
  fresh: boolean,
): Promise<boolean> {
  if (opts.bytes !== undefined && opts.sha256 !== undefined) {
    const check = await verifyFile(
      part,
      { bytes: opts.bytes, sha256: opts.sha256 },
      { useCache: false },
    );
    if (!check.ok) {
      const size = await sizeOf(part);
      if (check.problem === 'size' && size < opts.bytes && fresh) {
        // The server ended early: keep the .part so that the next call resumes it.
        throw new DownloadError(
          'incomplete',
          `download ended early (${size} of ${opts.bytes} B); run it again to resume`,
          url,
        );
      }
      await removeQuietly(part);
      if (!fresh) return false;
      throw new DownloadError(
        check.problem === 'hash' ? 'hash' : 'size',
        `${url} sent a wrong file: ${check.message.replace(`${part} `, '')}`,
        url,
      );
    }
  } else if (opts.bytes !== undefined) {
    const size = await sizeOf(part);
    if (size !== opts.bytes) {
      if (size < opts.bytes && fresh)
        throw new DownloadError('incomplete', `download ended early (${size} B)`, url);
      await removeQuietly(part);
      if (!fresh) return false;
      throw new DownloadError('size', `${url} sent ${size} B, expected ${opts.bytes} B`, url);
    }
  }
  await rename(part, dest);
  return true;
}
