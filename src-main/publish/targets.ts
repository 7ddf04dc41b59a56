/**
 * Publish targets: where an approved clip goes — a folder (with a sidecar JSON), an
 * S3-compatible bucket (AWS S3, Aliyun OSS, Tencent COS, MinIO… through the S3 API) or a webhook.
 *
 * A target never carries its secret: the S3 secret access key and the webhook signing secret live
 * in the credential vault under `target:<id>` (see vault.ts), or come from the environment as
 * `LIVESLICE_SECRET_<ID>` (the id upper-cased, `-` as `_`).
 *
 * URLs are checked here, once, by parsing (never by substring): only http and https, never
 * credentials in the URL (they would end up in logs and in the database), and plain http for an
 * S3 endpoint only on this machine or a private network (the upload itself would travel in clear).
 *
 * Provider notes: Aliyun OSS and Tencent COS require virtual-hosted style (`pathStyle: false`)
 * with their regional endpoint (e.g. https://oss-cn-hangzhou.aliyuncs.com, region
 * `oss-cn-hangzhou`; https://cos.ap-shanghai.myqcloud.com, region `ap-shanghai`); MinIO and other
 * self-hosted servers usually need `pathStyle: true`.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

export const TARGET_ID_PATTERN = /^[a-z0-9_-]{1,40}$/;
export const TARGET_KINDS = ['folder', 's3', 'webhook'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

// ---------- URL rules (pure; table-tested) ----------

/** Loopback or RFC 1918 / unique-local private addresses, and `localhost`. */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (isIP(h) === 6) return h === '::1' || /^f[cd][0-9a-f]{2}:/.test(h);
  return false;
}

export interface UrlRule {
  /** 'any': http anywhere; 'local': http only for isLocalHost(); https always. */
  http: 'any' | 'local';
  /** Whether a path other than "/" is allowed. */
  path: boolean;
  /** Whether a query string is allowed. */
  query: boolean;
}

/** Parses and checks a URL for `what` (e.g. "endpoint"); returns it normalized or throws TargetError. */
export function checkUrl(raw: string, what: string, rule: UrlRule): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TargetError(`${what} "${raw}" is not a valid URL (expected https://host/…)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TargetError(`${what} must be an http or https URL, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '')
    throw new TargetError(
      `${what} must not contain a user name or password: secrets go in the target's secret field (stored encrypted)`,
    );
  if (url.protocol === 'http:' && rule.http === 'local' && !isLocalHost(url.hostname))
    throw new TargetError(
      `${what} ${url.origin} uses plain http to a public host: use https (http is allowed only on this machine or a private network)`,
    );
  if (url.hash !== '') throw new TargetError(`${what} must not have a #fragment`);
  if (!rule.query && url.search !== '')
    throw new TargetError(`${what} must not have a query string (${url.search})`);
  if (!rule.path && url.pathname !== '/')
    throw new TargetError(
      `${what} must be just the server (e.g. https://s3.eu-west-1.amazonaws.com), without a path (${url.pathname})`,
    );
  return rule.path ? url.href : url.origin;
}

// ---------- schemas ----------

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** Headers a webhook target may not set: the request's framing, body type and our own. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'idempotency-key',
  'x-liveslice-signature',
  'x-liveslice-event',
]);

function urlField(what: string, rule: UrlRule) {
  return z.string().transform((v, ctx) => {
    try {
      return checkUrl(v, what, rule);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

const base = {
  id: z
    .string()
    .regex(
      TARGET_ID_PATTERN,
      'id must be 1–40 characters of lowercase letters, digits, "_" and "-"',
    ),
  name: z.string().trim().min(1, 'name must not be empty').max(80),
  enabled: z.boolean().default(true),
};

export const FolderTargetSchema = z.strictObject({
  ...base,
  kind: z.literal('folder'),
  dir: z
    .string()
    .min(1)
    .refine((d) => isAbsolute(d), 'dir must be an absolute path')
    .refine((d) => !d.includes('\0'), 'dir must not contain NUL'),
});

export const S3TargetSchema = z
  .strictObject({
    ...base,
    kind: z.literal('s3'),
    endpoint: urlField('endpoint', { http: 'local', path: false, query: false }),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/, 'region must look like us-east-1 or oss-cn-hangzhou')
      .default('us-east-1'),
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'bucket must be 3–63 lowercase letters, digits, "." and "-"',
      ),
    prefix: z
      .string()
      .max(512)
      .default('')
      .transform((p) => normalizePrefix(p))
      .refine(
        (p) => ![...p].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
        'prefix must not contain control characters',
      )
      .refine(
        (p) => !p.split('/').some((s) => s === '.' || s === '..'),
        'prefix must not contain . or .. segments',
      ),
    pathStyle: z.boolean().default(false),
    accessKeyId: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, 'accessKeyId must be printable ASCII without spaces'),
    publicBaseUrl: urlField('publicBaseUrl', { http: 'any', path: true, query: false })
      .nullable()
      .default(null),
  })
  .superRefine((t, ctx) => {
    if (t.pathStyle) return;
    const host = new URL(t.endpoint).hostname;
    if (isIP(host.replace(/^\[|\]$/g, '')) !== 0 || host === 'localhost')
      ctx.addIssue({
        code: 'custom',
        path: ['pathStyle'],
        message: `virtual-hosted style needs a DNS name (${host} is not one): set pathStyle to true`,
      });
  });

export const WebhookTargetSchema = z.strictObject({
  ...base,
  kind: z.literal('webhook'),
  url: urlField('url', { http: 'any', path: true, query: true }),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .superRefine((h, ctx) => {
      if (!h) return;
      const names = Object.keys(h);
      if (names.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 headers' });
      for (const name of names) {
        if (!HEADER_NAME.test(name))
          ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a header name` });
        else if (RESERVED_HEADERS.has(name.toLowerCase()))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `header ${name} is set by LiveSlice and cannot be overridden`,
          });
        if (/[\r\n\0]/.test(h[name]!) || h[name]!.length > 4000)
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `header ${name}: the value must be one line of at most 4000 characters`,
          });
      }
    }),
});

export const PublishTargetSchema = z.discriminatedUnion('kind', [
  FolderTargetSchema,
  S3TargetSchema,
  WebhookTargetSchema,
]);

export type FolderTarget = z.output<typeof FolderTargetSchema>;
export type S3Target = z.output<typeof S3TargetSchema>;
export type WebhookTarget = z.output<typeof WebhookTargetSchema>;
export type PublishTarget = z.output<typeof PublishTargetSchema>;
/** What a caller may write (defaults filled in by parseTarget). */
export type PublishTargetInput = z.input<typeof PublishTargetSchema>;

/** "" or "a/b/" — no leading slash, one trailing slash, no empty segments. */
export function normalizePrefix(prefix: string): string {
  const parts = prefix.split('/').filter((s) => s !== '');
  return parts.length === 0 ? '' : `${parts.join('/')}/`;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Validates one target; throws TargetError naming the target and every problem. */
export function parseTarget(input: unknown): PublishTarget {
  const kind = (input as { kind?: unknown } | null)?.kind;
  const id = (input as { id?: unknown } | null)?.id;
  const label = typeof id === 'string' ? `publish target "${id}"` : 'publish target';
  if (typeof kind !== 'string' || !(TARGET_KINDS as readonly string[]).includes(kind))
    throw new TargetError(
      `${label}: unknown kind ${JSON.stringify(kind ?? null)} (expected ${TARGET_KINDS.join(', ')})`,
    );
  const r = PublishTargetSchema.safeParse(input);
  if (!r.success) throw new TargetError(`${label}: ${describeIssues(r.error)}`);
  return r.data;
}

// ---------- secrets from the environment ----------

/** `LIVESLICE_SECRET_<ID>`: the id upper-cased, "-" as "_". */
export function secretEnvName(targetId: string): string {
  return `LIVESLICE_SECRET_${targetId.toUpperCase().replace(/-/g, '_')}`;
}

export function secretFromEnv(
  targetId: string,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  const v = env[secretEnvName(targetId)];
  return v === undefined || v === '' ? null : v;
}

/** The vault's name for a target's secret. */
export const targetSecretName = (targetId: string): string => `target:${targetId}`;

// ---------- the CLI's --publish spec ----------

export type TargetSpec =
  /** A target given whole on the command line (folder:<dir>, webhook:<url>). */
  | { target: PublishTarget }
  /** A saved (or config-file) target by id; `kind` when the spec named one. */
  | { ref: string; kind: TargetKind | null };

const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

/**
 * `--publish` values: `folder:<dir>` (a path, relative to `cwd`), `webhook:<http(s) url>`, or a
 * saved (or config-file) target by id: `s3:<id>`, `webhook:<id>`, `target:<id>` (any kind).
 */
export function parseTargetSpec(spec: string, cwd: string = process.cwd()): TargetSpec {
  const usage =
    'use folder:<dir>, webhook:<https url>, s3:<target id>, webhook:<target id> or target:<target id>';
  const m = /^([a-z0-9]+):(.*)$/s.exec(spec.trim());
  if (!m) throw new TargetError(`publish target "${spec}" is not understood: ${usage}`);
  const kind = m[1]!;
  const rest = m[2]!;
  if (rest === '') throw new TargetError(`publish target "${spec}" has nothing after "${kind}:"`);
  const ref = (k: TargetKind | null): TargetSpec => {
    if (!TARGET_ID_PATTERN.test(rest))
      throw new TargetError(
        `publish target "${spec}": "${rest}" is not a target id (lowercase letters, digits, "_", "-")`,
      );
    return { ref: rest, kind: k };
  };
  switch (kind) {
    case 'target':
      return ref(null);
    case 's3':
      return ref('s3');
    case 'folder': {
      const dir = resolve(cwd, rest);
      return {
        target: parseTarget({ id: `folder-${shortHash(dir)}`, name: `Folder ${dir}`, kind, dir }),
      };
    }
    case 'webhook': {
      if (!/^https?:\/\//i.test(rest)) return ref('webhook');
      const url = checkUrl(rest, 'webhook url', { http: 'any', path: true, query: true });
      return {
        target: parseTarget({
          id: `webhook-${shortHash(url)}`,
          name: `Webhook ${new URL(url).host}`,
          kind,
          url,
        }),
      };
    }
    default:
      throw new TargetError(`publish target "${spec}": unknown kind "${kind}": ${usage}`);
  }
}

// ---------- config file ----------

export interface PublishConfig {
  targets: PublishTarget[];
  /** Per target id; from the file's "secrets", overridden by LIVESLICE_SECRET_<ID>. */
  secrets: Record<string, string>;
}

/**
 * Reads `{ "targets": [...], "secrets": { "<id>": "..." } }` (JSON text or the parsed value).
 *
 * Secrets in a config file are the user's own file, stored as they wrote it: LiveSlice neither
 * encrypts nor copies them anywhere but memory. Prefer the environment: `LIVESLICE_SECRET_<ID>`
 * (which wins over the file), so the file can be shared or committed without its secrets.
 */
export function parsePublishConfig(
  json: unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
): PublishConfig {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json) as unknown;
    } catch (err) {
      throw new TargetError(`the publish config is not valid JSON: ${(err as Error).message}`);
    }
  }
  const shape = z
    .strictObject({
      targets: z.array(z.unknown()),
      secrets: z.record(z.string(), z.string()).optional(),
    })
    .safeParse(value);
  if (!shape.success)
    throw new TargetError(
      `the publish config must be { "targets": [...], "secrets": { "<id>": "..." } }: ${describeIssues(shape.error)}`,
    );
  const targets = shape.data.targets.map((t, i) => {
    try {
      return parseTarget(t);
    } catch (err) {
      throw new TargetError(`targets[${i}]: ${(err as Error).message}`);
    }
  });
  const ids = new Set<string>();
  for (const t of targets) {
    if (ids.has(t.id))
      throw new TargetError(`the publish config has two targets with id "${t.id}"`);
    ids.add(t.id);
  }
  const secrets: Record<string, string> = {};
  for (const [id, secret] of Object.entries(shape.data.secrets ?? {})) {
    // The value is never echoed: only the id that has no target.
    if (!ids.has(id))
      throw new TargetError(
        `the publish config has a secret for "${id}", which is not one of its targets`,
      );
    if (secret !== '') secrets[id] = secret;
  }
  for (const id of ids) {
    const fromEnv = secretFromEnv(id, env);
    if (fromEnv !== null) secrets[id] = fromEnv;
  }
  return { targets, secrets };
}
