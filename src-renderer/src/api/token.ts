/**
 * The headless host's access token: `liveslice serve` prints `http://127.0.0.1:PORT/#token=<hex>`.
 * The token is taken from the address bar once, kept in sessionStorage so a reload works, and the
 * hash is removed so the token does not linger in the address bar or history.
 */
import { MEDIA_COOKIE } from '../contract';

export const TOKEN_STORAGE_KEY = 'liveslice.token';

/** Tokens are opaque, but only URL- and cookie-safe characters are accepted. */
const TOKEN_RE = /^[A-Za-z0-9_-]{16,512}$/;

export function isPlausibleToken(token: string): boolean {
  return TOKEN_RE.test(token);
}

/** `#token=abc…` (other hash parameters allowed) → the token, or null. */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token');
  return token !== null && isPlausibleToken(token) ? token : null;
}

/** The hash with the token parameter removed ('' when nothing else was there). */
export function hashWithoutToken(hash: string): string {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  params.delete('token');
  const rest = params.toString();
  return rest ? `#${rest}` : '';
}

export interface TokenEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/** Reads the token from the address bar (then strips it) or from sessionStorage. */
export function takeToken(env: TokenEnvironment): string | null {
  const fromHash = tokenFromHash(env.location.hash);
  if (fromHash !== null) {
    try {
      env.storage?.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    env.history.replaceState(
      null,
      '',
      `${env.location.pathname}${env.location.search}${hashWithoutToken(env.location.hash)}`,
    );
    return fromHash;
  }
  let stored: string | null = null;
  try {
    stored = env.storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    stored = null;
  }
  return stored !== null && isPlausibleToken(stored) ? stored : null;
}

/** The cookie that lets <video>/hls.js requests under /media/ carry the token. */
export function mediaCookie(token: string): string {
  return `${MEDIA_COOKIE}=${token}; Path=/media; SameSite=Strict`;
}
