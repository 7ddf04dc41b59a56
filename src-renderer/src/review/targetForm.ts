/**
 * The publish target form (pure): the fields as typed for every kind, checks with a message key
 * per field, and the target (plus what to do with the secret) that publish.saveTarget gets. The
 * secret is write-only: the engine only says whether one is stored, so an empty field keeps it.
 */
import type { PublishTarget, PublishTargetView } from '../contract';

export type TargetKind = PublishTarget['kind'];
export const TARGET_KINDS: readonly TargetKind[] = ['folder', 's3', 'webhook'];

export interface TargetForm {
  /** null: a new target. */
  existing: string | null;
  kind: TargetKind;
  id: string;
  name: string;
  enabled: boolean;
  dir: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  pathStyle: boolean;
  accessKeyId: string;
  publicBaseUrl: string;
  url: string;
  /** A webhook's extra headers (kept as they are: this form does not edit them). */
  headers: Readonly<Record<string, string>> | null;
  /** A new secret (S3 secret key / webhook signing secret); '' keeps the stored one. */
  secret: string;
  /** Remove the stored secret. */
  clearSecret: boolean;
  /** Whether the engine holds a secret for this target. */
  hasSecret: boolean;
}

export type TargetField =
  | 'id'
  | 'name'
  | 'dir'
  | 'endpoint'
  | 'region'
  | 'bucket'
  | 'prefix'
  | 'accessKeyId'
  | 'publicBaseUrl'
  | 'url'
  | 'secret';

/** What is wrong with a field: the suffix of its `targets.invalid.*` message key. */
export type TargetProblem =
  'required' | 'id' | 'url' | 'urlCredentials' | 'bucket' | 'prefix' | 'secretRequired';

export function blankTarget(kind: TargetKind, existingIds: readonly string[]): TargetForm {
  let n = 1;
  while (existingIds.includes(`${kind}-${n}`)) n++;
  return {
    existing: null,
    kind,
    id: `${kind}-${n}`,
    name: '',
    enabled: true,
    dir: '',
    endpoint: '',
    region: '',
    bucket: '',
    prefix: '',
    pathStyle: false,
    accessKeyId: '',
    publicBaseUrl: '',
    url: '',
    headers: null,
    secret: '',
    clearSecret: false,
    hasSecret: false,
  };
}

export function toForm(view: PublishTargetView): TargetForm {
  const t = view.target;
  const base = { ...blankTarget(t.kind, []), existing: t.id, id: t.id, name: t.name };
  const common = { ...base, enabled: t.enabled, hasSecret: view.hasSecret };
  switch (t.kind) {
    case 'folder':
      return { ...common, dir: t.dir };
    case 's3':
      return {
        ...common,
        endpoint: t.endpoint,
        region: t.region,
        bucket: t.bucket,
        prefix: t.prefix,
        pathStyle: t.pathStyle,
        accessKeyId: t.accessKeyId,
        publicBaseUrl: t.publicBaseUrl ?? '',
      };
    case 'webhook':
      return { ...common, url: t.url, headers: t.headers ?? null };
  }
}

const TARGET_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
/** S3 bucket names: 3–63 of lowercase letters, digits, dots and hyphens, alphanumeric at both ends. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An http(s) URL with a host and no user:password (keys go in their own fields). */
export function checkHttpUrl(text: string): TargetProblem | null {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return 'url';
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.hostname === '') return 'url';
  if (u.username !== '' || u.password !== '') return 'urlCredentials';
  return null;
}

/** Every field's problem (none: an empty object). */
export function validateTarget(f: TargetForm): Partial<Record<TargetField, TargetProblem>> {
  const out: Partial<Record<TargetField, TargetProblem>> = {};
  if (!TARGET_ID.test(f.id.trim())) out.id = 'id';
  if (f.name.trim() === '') out.name = 'required';
  switch (f.kind) {
    case 'folder':
      if (f.dir.trim() === '') out.dir = 'required';
      break;
    case 's3': {
      if (f.endpoint.trim() === '') out.endpoint = 'required';
      else {
        const p = checkHttpUrl(f.endpoint);
        if (p) out.endpoint = p;
      }
      if (f.region.trim() === '') out.region = 'required';
      if (f.bucket.trim() === '') out.bucket = 'required';
      else if (!BUCKET.test(f.bucket.trim()) || f.bucket.includes('..')) out.bucket = 'bucket';
      if (f.prefix.split('/').some((part) => part === '..' || part === '.')) out.prefix = 'prefix';
      if (f.accessKeyId.trim() === '') out.accessKeyId = 'required';
      if (f.publicBaseUrl.trim() !== '') {
        const p = checkHttpUrl(f.publicBaseUrl);
        if (p) out.publicBaseUrl = p;
      }
      // S3 cannot sign without its secret key.
      if (f.secret === '' && (!f.hasSecret || f.clearSecret)) out.secret = 'secretRequired';
      break;
    }
    case 'webhook':
      if (f.url.trim() === '') out.url = 'required';
      else {
        const p = checkHttpUrl(f.url);
        if (p) out.url = p;
      }
      break;
  }
  return out;
}

/**
 * The target and secret for publish.saveTarget: `secret` is a new value, null to remove the stored
 * one, undefined to keep it.
 */
export function fromForm(f: TargetForm): {
  target: PublishTarget;
  secret: string | null | undefined;
} {
  const base = { id: f.id.trim(), name: f.name.trim(), enabled: f.enabled };
  const secret = f.secret !== '' ? f.secret : f.clearSecret ? null : undefined;
  switch (f.kind) {
    case 'folder':
      return { target: { ...base, kind: 'folder', dir: f.dir.trim() }, secret: undefined };
    case 's3':
      return {
        target: {
          ...base,
          kind: 's3',
          endpoint: f.endpoint.trim(),
          region: f.region.trim(),
          bucket: f.bucket.trim(),
          prefix: f.prefix.trim(),
          pathStyle: f.pathStyle,
          accessKeyId: f.accessKeyId.trim(),
          publicBaseUrl: f.publicBaseUrl.trim() === '' ? null : f.publicBaseUrl.trim(),
        },
        secret,
      };
    case 'webhook':
      return {
        target: {
          ...base,
          kind: 'webhook',
          url: f.url.trim(),
          ...(f.headers ? { headers: { ...f.headers } } : {}),
        },
        secret,
      };
  }
}

/** A target's one-line summary for the list (never a secret). */
export function targetSummary(t: PublishTarget): string {
  switch (t.kind) {
    case 'folder':
      return t.dir;
    case 's3':
      return `${t.bucket}${t.prefix ? `/${t.prefix.replace(/^\/+/, '')}` : ''} @ ${t.endpoint}`;
    case 'webhook':
      return t.url;
  }
}
