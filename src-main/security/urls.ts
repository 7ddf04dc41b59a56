/** URL trust decisions, as pure functions: parse and compare, never substring-match. */
import { fileURLToPath } from 'node:url';
import { isAbsolute, relative, resolve } from 'node:path';

export function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/** Links the app may hand to the OS browser: http(s) only, no embedded credentials. */
export function isSafeExternalUrl(raw: string): boolean {
  const url = parseUrl(raw);
  if (!url) return false;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  return url.hostname.length > 0;
}

/** Where the app's own renderer is loaded from. */
export type RendererLocation = { kind: 'file'; dir: string } | { kind: 'origin'; origin: string };

/** Is `raw` a page of our own renderer (a file inside its build dir, or the dev server origin)? */
export function isTrustedAppUrl(raw: string, where: RendererLocation): boolean {
  const url = parseUrl(raw);
  if (!url) return false;
  if (where.kind === 'origin') {
    const allowed = parseUrl(where.origin);
    return allowed !== null && url.origin === allowed.origin && url.origin !== 'null';
  }
  if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) return false;
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch {
    return false;
  }
  const rel = relative(resolve(where.dir), resolve(file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Is this a loopback host name or address (127.0.0.0/8, ::1, localhost)? */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((n) => Number(n) <= 255);
}

/**
 * DNS-rebinding guard for the loopback host: the Host header must name a loopback address on
 * our port (a page on evil.example that rebinds to 127.0.0.1 still sends Host: evil.example).
 */
export function isAllowedHostHeader(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const url = parseUrl(`http://${hostHeader}`);
  if (!url || url.username || url.password || url.pathname !== '/') return false;
  const p = url.port === '' ? 80 : Number(url.port);
  return p === port && isLoopbackHost(url.hostname);
}

/** A WebSocket upgrade's Origin must be our own page's origin (or absent, for non-browser tools). */
export function isAllowedOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
): boolean {
  if (origin === undefined) return true;
  if (!hostHeader) return false;
  const o = parseUrl(origin);
  return o !== null && o.origin === `http://${hostHeader.toLowerCase()}`;
}
