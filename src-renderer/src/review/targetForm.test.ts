import { describe, expect, it } from 'vitest';
import {
  blankTarget,
  checkHttpUrl,
  fromForm,
  targetSummary,
  toForm,
  validateTarget,
  type TargetForm,
} from './targetForm';

const s3 = (over: Partial<TargetForm> = {}): TargetForm => ({
  ...blankTarget('s3', []),
  name: 'OSS Hangzhou',
  endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
  region: 'cn-hangzhou',
  bucket: 'live-clips',
  prefix: 'clips/',
  accessKeyId: 'LTAI5t',
  secret: 'shh',
  ...over,
});

describe('checkHttpUrl', () => {
  it.each([
    ['https://s3.us-east-1.amazonaws.com', null],
    ['http://127.0.0.1:9000', null],
    ['https://cos.ap-shanghai.myqcloud.com/', null],
    ['  https://example.com/hook  ', null],
    ['ftp://example.com', 'url'],
    ['javascript:alert(1)', 'url'],
    ['file:///etc/passwd', 'url'],
    ['example.com', 'url'],
    ['https://', 'url'],
    ['not a url', 'url'],
    ['https://user:pass@example.com', 'urlCredentials'],
    ['https://key@example.com', 'urlCredentials'],
  ])('%j → %s', (url, want) => expect(checkHttpUrl(url)).toBe(want));
});

describe('validateTarget', () => {
  it('a complete folder, S3 and webhook target pass', () => {
    expect(validateTarget({ ...blankTarget('folder', []), name: 'Desk', dir: '/tmp/out' })).toEqual(
      {},
    );
    expect(validateTarget(s3())).toEqual({});
    expect(
      validateTarget({
        ...blankTarget('webhook', []),
        name: 'Hook',
        url: 'https://example.com/hook',
      }),
    ).toEqual({});
  });

  it.each<[string, Partial<TargetForm>, Record<string, string>]>([
    ['empty name', { name: '  ' }, { name: 'required' }],
    ['bad id', { id: 'Bad Id' }, { id: 'id' }],
    ['ftp endpoint', { endpoint: 'ftp://x' }, { endpoint: 'url' }],
    [
      'endpoint with keys',
      { endpoint: 'https://a:b@oss.example.com' },
      { endpoint: 'urlCredentials' },
    ],
    ['no region', { region: '' }, { region: 'required' }],
    ['bucket with capitals', { bucket: 'Live_Clips' }, { bucket: 'bucket' }],
    ['bucket too short', { bucket: 'ab' }, { bucket: 'bucket' }],
    ['bucket with ..', { bucket: 'a..b' }, { bucket: 'bucket' }],
    ['prefix leaving the bucket', { prefix: 'clips/../../x' }, { prefix: 'prefix' }],
    ['bad public base URL', { publicBaseUrl: 'cdn.example.com' }, { publicBaseUrl: 'url' }],
    ['new S3 target without a secret', { secret: '' }, { secret: 'secretRequired' }],
    [
      'stored secret being removed without a new one',
      { secret: '', hasSecret: true, clearSecret: true },
      { secret: 'secretRequired' },
    ],
  ])('S3: %s', (_name, over, want) => expect(validateTarget(s3(over))).toEqual(want));

  it('an S3 target with a stored secret may leave the field empty', () => {
    expect(validateTarget(s3({ secret: '', hasSecret: true, existing: 's3-1' }))).toEqual({});
  });

  it.each([
    ['', 'required'],
    ['http//missing-colon', 'url'],
    ['javascript:alert(document.cookie)', 'url'],
  ])('webhook URL %j → %s', (url, want) => {
    expect(validateTarget({ ...blankTarget('webhook', []), name: 'Hook', url }).url).toBe(want);
  });

  it('a folder needs a folder', () => {
    expect(validateTarget({ ...blankTarget('folder', []), name: 'Desk' })).toEqual({
      dir: 'required',
    });
  });
});

describe('fromForm / toForm', () => {
  it('the secret is new, removed (null) or kept (undefined)', () => {
    expect(fromForm(s3({ secret: 'new' })).secret).toBe('new');
    expect(fromForm(s3({ secret: '', hasSecret: true, clearSecret: true })).secret).toBeNull();
    expect(fromForm(s3({ secret: '', hasSecret: true })).secret).toBeUndefined();
    expect(fromForm({ ...blankTarget('folder', []), name: 'x', dir: '/d' }).secret).toBeUndefined();
  });

  it('trims fields, maps an empty public URL to null, and round-trips through the view', () => {
    const { target } = fromForm(s3({ bucket: ' live-clips ', publicBaseUrl: ' ' }));
    expect(target).toEqual({
      id: 's3-1',
      name: 'OSS Hangzhou',
      enabled: true,
      kind: 's3',
      endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
      region: 'cn-hangzhou',
      bucket: 'live-clips',
      prefix: 'clips/',
      pathStyle: false,
      accessKeyId: 'LTAI5t',
      publicBaseUrl: null,
    });
    const back = toForm({ target, hasSecret: true });
    expect(back.existing).toBe('s3-1');
    expect(back.secret).toBe('');
    expect(back.hasSecret).toBe(true);
    expect(fromForm(back).target).toEqual(target);
  });

  it('keeps a webhook’s extra headers it does not edit', () => {
    const target = {
      id: 'hook',
      name: 'Hook',
      enabled: true,
      kind: 'webhook' as const,
      url: 'https://example.com/h',
      headers: { 'X-Team': 'live' },
    };
    expect(fromForm(toForm({ target, hasSecret: false })).target).toEqual(target);
  });

  it('new ids do not collide with existing ones', () => {
    expect(blankTarget('folder', ['folder-1', 'folder-2']).id).toBe('folder-3');
  });

  it('summaries never show a secret', () => {
    const { target } = fromForm(s3({ secret: 'TOPSECRET' }));
    expect(targetSummary(target)).toBe('live-clips/clips/ @ https://oss-cn-hangzhou.aliyuncs.com');
    expect(targetSummary(target)).not.toContain('TOPSECRET');
  });
});
