/** Target validation (URLs, ids, headers), the CLI's --publish spec and the config file. */
import { describe, expect, it } from 'vitest';
import {
  checkUrl,
  isLocalHost,
  parsePublishConfig,
  parseTarget,
  parseTargetSpec,
  secretEnvName,
  TargetError,
} from './targets';

const s3 = {
  id: 's3main',
  name: 'Main bucket',
  kind: 's3',
  endpoint: 'https://s3.eu-west-1.amazonaws.com',
  region: 'eu-west-1',
  bucket: 'my-clips',
  accessKeyId: 'AKIAEXAMPLE',
};

describe('URL rules', () => {
  const endpoint = { http: 'local', path: false, query: false } as const;
  const webhook = { http: 'any', path: true, query: true } as const;
  it.each([
    ['https://s3.amazonaws.com', endpoint, 'https://s3.amazonaws.com'],
    ['https://oss-cn-hangzhou.aliyuncs.com/', endpoint, 'https://oss-cn-hangzhou.aliyuncs.com'],
    ['http://127.0.0.1:9000', endpoint, 'http://127.0.0.1:9000'],
    ['http://192.168.1.20:9000', endpoint, 'http://192.168.1.20:9000'],
    ['http://[::1]:9000', endpoint, 'http://[::1]:9000'],
    ['http://hooks.example.com/x?y=1', webhook, 'http://hooks.example.com/x?y=1'],
  ])('accepts %s', (raw, rule, out) => {
    expect(checkUrl(raw, 'endpoint', rule)).toBe(out);
  });

  it.each([
    ['not a url', endpoint, /is not a valid URL/],
    ['ftp://s3.example.com', endpoint, /must be an http or https URL, not ftp:/],
    ['file:///etc/passwd', webhook, /must be an http or https URL/],
    ['javascript:alert(1)', webhook, /must be an http or https URL/],
    ['https://AKIA:secret@s3.example.com', endpoint, /must not contain a user name or password/],
    ['https://user@hooks.example.com/x', webhook, /must not contain a user name or password/],
    ['http://s3.example.com', endpoint, /plain http to a public host: use https/],
    ['http://127.0.0.1.example.com', endpoint, /plain http to a public host/],
    ['http://172.32.0.1', endpoint, /plain http to a public host/],
    ['https://s3.example.com/bucket', endpoint, /without a path/],
    ['https://s3.example.com/?x=1', endpoint, /must not have a query string/],
    ['https://hooks.example.com/#x', webhook, /must not have a #fragment/],
  ])('rejects %s', (raw, rule, message) => {
    expect(() => checkUrl(raw, 'endpoint', rule)).toThrow(message);
  });

  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.0.1', true],
    ['[::1]', true],
    ['[fd12:3456::1]', true],
    ['8.8.8.8', false],
    ['localhost.example.com', false],
    ['example.com', false],
  ])('isLocalHost(%s) is %s', (h, local) => expect(isLocalHost(h)).toBe(local));
});

describe('parseTarget', () => {
  it('fills defaults and normalizes the prefix', () => {
    const t = parseTarget({ ...s3, prefix: '/live//clips' });
    expect(t).toMatchObject({
      enabled: true,
      pathStyle: false,
      prefix: 'live/clips/',
      publicBaseUrl: null,
    });
  });

  it.each([
    [
      { ...s3, kind: 'ftp' },
      /publish target "s3main": unknown kind "ftp" \(expected folder, s3, webhook\)/,
    ],
    [{ ...s3, kind: undefined }, /unknown kind null/],
    [{ ...s3, id: 'Bad Id' }, /id must be 1–40 characters/],
    [
      { ...s3, endpoint: 'https://k:s@s3.example.com' },
      /endpoint must not contain a user name or password/,
    ],
    [{ ...s3, endpoint: 'http://s3.example.com' }, /use https/],
    [{ ...s3, bucket: 'Has_Upper' }, /bucket must be 3–63 lowercase letters/],
    [
      { ...s3, endpoint: 'http://127.0.0.1:9000' },
      /virtual-hosted style needs a DNS name .* set pathStyle to true/,
    ],
    [{ ...s3, prefix: 'a/../b' }, /prefix must not contain \. or \.\. segments/],
    [{ ...s3, prefix: 'a\u0001b' }, /prefix must not contain control characters/],
    [
      { ...s3, publicBaseUrl: 'https://cdn.example.com/?sig=1' },
      /publicBaseUrl must not have a query string/,
    ],
    [{ ...s3, secretAccessKey: 'x' }, /Unrecognized key|secretAccessKey/],
    [{ id: 'f', name: 'F', kind: 'folder', dir: 'relative/dir' }, /dir must be an absolute path/],
    [
      { id: 'w', name: 'W', kind: 'webhook', url: 'https://u:p@h.example.com' },
      /url must not contain a user name or password/,
    ],
    [
      {
        id: 'w',
        name: 'W',
        kind: 'webhook',
        url: 'https://h.example.com',
        headers: { 'X-Liveslice-Signature': 'x' },
      },
      /set by LiveSlice/,
    ],
    [
      {
        id: 'w',
        name: 'W',
        kind: 'webhook',
        url: 'https://h.example.com',
        headers: { 'X-Token': 'a\r\nHost: evil' },
      },
      /must be one line/,
    ],
    [
      {
        id: 'w',
        name: 'W',
        kind: 'webhook',
        url: 'https://h.example.com',
        headers: { 'Bad Name': 'a' },
      },
      /is not a header name/,
    ],
  ])('rejects %j', (input, message) => {
    expect(() => parseTarget(input)).toThrow(message);
    expect(() => parseTarget(input)).toThrow(TargetError);
  });

  it('accepts MinIO on this machine in path style, and a webhook with its own headers', () => {
    expect(parseTarget({ ...s3, endpoint: 'http://127.0.0.1:9000', pathStyle: true }).kind).toBe(
      's3',
    );
    const w = parseTarget({
      id: 'w',
      name: 'W',
      kind: 'webhook',
      url: 'https://h.example.com/x',
      headers: { Authorization: 'Bearer t' },
    });
    expect(w).toMatchObject({ kind: 'webhook', headers: { Authorization: 'Bearer t' } });
  });
});

describe('parseTargetSpec (--publish)', () => {
  it('folder:<dir> is a folder target, relative to the working directory', () => {
    const spec = parseTargetSpec('folder:out/clips', '/home/op');
    expect(spec).toMatchObject({ target: { kind: 'folder', dir: '/home/op/out/clips' } });
    const again = parseTargetSpec('folder:/home/op/out/clips', '/elsewhere');
    expect('target' in again && 'target' in spec && again.target.id === spec.target.id).toBe(true);
  });

  it.each([
    ['s3:s3main', { ref: 's3main', kind: 's3' }],
    ['webhook:hook-1', { ref: 'hook-1', kind: 'webhook' }],
    ['target:any_id', { ref: 'any_id', kind: null }],
  ])('%s refers to a saved target', (spec, out) => {
    expect(parseTargetSpec(spec)).toEqual(out);
  });

  it('webhook:<url> is an inline webhook target', () => {
    expect(parseTargetSpec('webhook:https://hooks.example.com/clips')).toMatchObject({
      target: { kind: 'webhook', url: 'https://hooks.example.com/clips' },
    });
  });

  it.each([
    ['dropbox:x', /unknown kind "dropbox"/],
    ['nothing', /is not understood/],
    ['s3:', /has nothing after "s3:"/],
    ['s3:Not An Id', /is not a target id/],
    ['webhook:https://user:pw@hooks.example.com', /must not contain a user name or password/],
    ['webhook:ftp://hooks.example.com', /is not a target id/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseTargetSpec(spec)).toThrow(message);
  });
});

describe('parsePublishConfig', () => {
  const config = {
    targets: [s3, { id: 'hook', name: 'Hook', kind: 'webhook', url: 'https://h.example.com/x' }],
    secrets: { s3main: 'from-file', hook: 'hook-from-file' },
  };

  it('reads targets and secrets; LIVESLICE_SECRET_<ID> wins over the file', () => {
    const c = parsePublishConfig(JSON.stringify(config), { [secretEnvName('s3main')]: 'from-env' });
    expect(c.targets.map((t) => t.id)).toEqual(['s3main', 'hook']);
    expect(c.secrets).toEqual({ s3main: 'from-env', hook: 'hook-from-file' });
    expect(secretEnvName('my-target')).toBe('LIVESLICE_SECRET_MY_TARGET');
  });

  it.each([
    ['{', /not valid JSON/],
    [JSON.stringify({ targets: [s3, s3] }), /two targets with id "s3main"/],
    [
      JSON.stringify({ targets: [{ ...s3, kind: 'ftp' }] }),
      /targets\[0\]: publish target "s3main": unknown kind/,
    ],
    [JSON.stringify({ targets: [], extra: 1 }), /must be \{ "targets"/],
  ])('rejects %s', (json, message) => {
    expect(() => parsePublishConfig(json, {})).toThrow(message);
  });

  it('a secret for an unknown target is an error that does not echo the secret', () => {
    const err = (() => {
      try {
        parsePublishConfig({ targets: [s3], secrets: { typo: 'top-secret-value' } }, {});
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.message).toMatch(/secret for "typo", which is not one of its targets/);
    expect(err?.message).not.toContain('top-secret-value');
  });
});
