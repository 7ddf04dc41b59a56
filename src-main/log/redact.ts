/**
 * Redaction for log entries. Pure apart from the registered secrets a `Redactor` holds.
 *
 * - A field whose key looks sensitive (`SENSITIVE_KEY`) is replaced by "[redacted]", at any depth.
 * - Registered secrets (and their percent-encoded form) are cut out of every string.
 * - Inside strings: `name=value` pairs with a sensitive name (query, fragment, or free text),
 *   `"name": "value"` JSON pairs, `Bearer …`/`Basic …` credentials and URL passwords
 *   (`rtmp://user:pass@host`) lose their values.
 * - Errors become `{ name, message, stack, code?, cause? }`, redacted like everything else.
 * The result is JSON-safe: no cycles, no bigint, no functions.
 */
export const REDACTED = '[redacted]';

export const SENSITIVE_KEY =
  /token|secret|passw|authorization|cookie|credential|api[-_]?key|stream[-_]?key|^key$/i;

const MAX_DEPTH = 10;
const MAX_STRING = 64 * 1024;

/** `name=value` after start, whitespace, `?`, `&`, `#` or `;`. */
const PARAM_RE = /(^|[\s?&#;])([A-Za-z0-9_.[\]-]+)=([^&#\s"'<>]*)/g;
/** `"name": "value"` inside serialized JSON. */
const JSON_PAIR_RE = /"([^"\\]{1,100})"(\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const AUTH_SCHEME_RE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const URL_PASSWORD_RE = /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s@]+@/gi;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  /** Registers a secret to cut out of every string. Empty strings are ignored. */
  addSecret(secret: string): void {
    if (typeof secret !== 'string' || secret.length === 0) return;
    const before = this.secrets.size;
    this.secrets.add(secret);
    let encoded = secret;
    try {
      encoded = encodeURIComponent(secret);
    } catch {
      // lone surrogates cannot be encoded; the raw form is still registered
    }
    this.secrets.add(encoded);
    if (this.secrets.size === before) return;
    // Longest first, so a secret that contains another is removed whole.
    const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = new RegExp(alternatives.join('|'), 'g');
  }

  redactString(input: string): string {
    let s = input.length > MAX_STRING ? `${input.slice(0, MAX_STRING)}…[truncated]` : input;
    if (this.pattern !== null) s = s.replace(this.pattern, REDACTED);
    if (!s.includes('=') && !s.includes(':') && !/bearer|basic/i.test(s)) return s;
    s = s.replace(PARAM_RE, (m: string, pre: string, name: string) =>
      SENSITIVE_KEY.test(name) ? `${pre}${name}=${REDACTED}` : m,
    );
    s = s.replace(JSON_PAIR_RE, (m: string, name: string, colon: string) =>
      SENSITIVE_KEY.test(name) ? `"${name}"${colon}"${REDACTED}"` : m,
    );
    s = s.replace(AUTH_SCHEME_RE, `$1 ${REDACTED}`);
    s = s.replace(URL_PASSWORD_RE, `$1:${REDACTED}@`);
    return s;
  }

  /** A JSON-safe, redacted copy of `value`. Never throws. */
  redactValue(value: unknown): unknown {
    try {
      return this.walk(value, new Set(), 0);
    } catch {
      return '[unserializable]';
    }
  }

  /** Redacts a field map: sensitive keys, then values. */
  redactFields(fields: Record<string, unknown>): Record<string, unknown> {
    const out = this.redactValue(fields);
    return typeof out === 'object' && out !== null && !Array.isArray(out)
      ? (out as Record<string, unknown>)
      : { fields: out };
  }

  private walk(value: unknown, ancestors: Set<object>, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        return this.redactString(value);
      case 'number':
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
        return value.toString();
      case 'symbol':
        return this.redactString(value.toString());
      case 'function':
        return `[function ${value.name || 'anonymous'}]`;
    }
    if (value === null) return null;
    const obj = value as object;
    if (ancestors.has(obj)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[depth limit]';

    if (obj instanceof Date)
      return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    if (obj instanceof URL) return this.redactString(obj.href);
    if (obj instanceof RegExp) return this.redactString(String(obj));
    if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
    if (obj instanceof ArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`;

    ancestors.add(obj);
    try {
      if (obj instanceof Error) return this.walkError(obj, ancestors, depth);
      if (Array.isArray(obj)) return obj.map((v) => this.walk(v, ancestors, depth + 1) ?? null);
      if (obj instanceof Set)
        return [...obj].map((v) => this.walk(v, ancestors, depth + 1) ?? null);
      if (obj instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of obj) this.putField(out, String(k), () => v, ancestors, depth);
        return out;
      }
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        return this.walk(toJSON.call(obj), ancestors, depth + 1);
      }
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(obj)) {
        this.putField(out, k, () => (obj as Record<string, unknown>)[k], ancestors, depth);
      }
      return out;
    } finally {
      ancestors.delete(obj);
    }
  }

  private putField(
    out: Record<string, unknown>,
    key: string,
    read: () => unknown,
    ancestors: Set<object>,
    depth: number,
  ): void {
    const safeKey = this.redactString(key);
    if (SENSITIVE_KEY.test(key)) {
      out[safeKey] = REDACTED;
      return;
    }
    try {
      out[safeKey] = this.walk(read(), ancestors, depth + 1);
    } catch {
      out[safeKey] = '[unreadable]';
    }
  }

  private walkError(err: Error, ancestors: Set<object>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.redactString(String(err.name)),
      message: this.redactString(String(err.message)),
    };
    if (typeof err.stack === 'string') out['stack'] = this.redactString(err.stack);
    // Own enumerable extras such as code, errno, syscall, path.
    for (const k of Object.keys(err)) {
      if (k === 'name' || k === 'message' || k === 'stack' || k === 'cause') continue;
      this.putField(out, k, () => (err as unknown as Record<string, unknown>)[k], ancestors, depth);
    }
    if (err.cause !== undefined) {
      this.putField(out, 'cause', () => err.cause, ancestors, depth);
    }
    return out;
  }
}
