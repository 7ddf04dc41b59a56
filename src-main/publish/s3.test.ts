/**
 * The S3 client: Signature V4 against AWS's published examples, then real uploads to s3rver on
 * 127.0.0.1 behind a proxy that verifies every signature and payload hash (testing/s3-server.ts):
 * a small PUT, a multipart upload, an upload interrupted and resumed (only the missing parts are
 * sent), a forgotten upload started over, virtual-hosted style, and a wrong secret.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPermanentError } from '../jobs/types';
import {
  canonicalQuery,
  encodeKey,
  MiB,
  type MultipartState,
  parseS3Error,
  S3Client,
  S3Error,
  signV4,
  uploadFile,
} from './s3';
import {
  startTestS3,
  TEST_ACCESS_KEY,
  TEST_SECRET,
  type TestS3,
  vhostAgent,
} from './testing/s3-server';

// ---------- Signature V4: the examples in AWS's S3 documentation ----------

const AWS_EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  amzDate: '20130524T000000Z',
};
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('signV4 (AWS examples)', () => {
  it.each([
    {
      name: 'GET Object with Range',
      method: 'GET',
      path: '/test.txt',
      query: [] as ReadonlyArray<readonly [string, string]>,
      headers: { Host: 'examplebucket.s3.amazonaws.com', Range: 'bytes=0-9' },
      payloadHash: EMPTY,
      signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    },
    {
      name: 'PUT Object (a "$" in the key, storage class header)',
      method: 'PUT',
      path: `/${encodeKey('test$file.text')}`,
      query: [],
      headers: {
        Host: 'examplebucket.s3.amazonaws.com',
        Date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      },
      payloadHash: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    },
    {
      name: 'GET Bucket lifecycle (a sub-resource without value)',
      method: 'GET',
      path: '/',
      query: [['lifecycle', '']] as const,
      headers: { Host: 'examplebucket.s3.amazonaws.com' },
      payloadHash: EMPTY,
      signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    },
    {
      name: 'List objects (query sorted)',
      method: 'GET',
      path: '/',
      query: [
        ['prefix', 'J'],
        ['max-keys', '2'],
      ] as const,
      headers: { Host: 'examplebucket.s3.amazonaws.com' },
      payloadHash: EMPTY,
      signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    },
  ])('$name', (c) => {
    const s = signV4({
      ...AWS_EXAMPLE,
      method: c.method,
      path: c.path,
      query: canonicalQuery(c.query),
      headers: {
        ...c.headers,
        'x-amz-date': AWS_EXAMPLE.amzDate,
        'x-amz-content-sha256': c.payloadHash,
      },
      payloadHash: c.payloadHash,
    });
    expect(s.signature).toBe(c.signature);
    expect(s.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,` +
        `SignedHeaders=${s.signedHeaders},Signature=${c.signature}`,
    );
  });

  it.each([
    ['a b/c+d.mp4', 'a%20b/c%2Bd.mp4'],
    ['clips/直播 1.mp4', 'clips/%E7%9B%B4%E6%92%AD%201.mp4'],
    ["it's(1)*!.mp4", 'it%27s%281%29%2A%21.mp4'],
    ['a~b_c-d.e', 'a~b_c-d.e'],
  ])('encodes the key %j as %j', (key, path) => {
    expect(encodeKey(key)).toBe(path);
  });

  it('parses an S3 error document into code, message, status and permanence', () => {
    const res = (status: number, body: string) => ({
      status,
      headers: {},
      body: Buffer.from(body),
    });
    const denied = parseS3Error(
      'PutObject',
      's3://b/k',
      res(
        403,
        '<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature &amp; more</Message></Error>',
      ),
    );
    expect(denied.message).toContain(
      'HTTP 403 SignatureDoesNotMatch — The request signature & more',
    );
    expect(denied.message).toContain('check the secret access key');
    expect(denied.permanent).toBe(true);
    expect(
      parseS3Error('UploadPart', 's3://b/k', res(503, '<Error><Code>SlowDown</Code></Error>'))
        .permanent,
    ).toBe(false);
    expect(parseS3Error('UploadPart', 's3://b/k', res(500, '')).permanent).toBe(false);
    expect(parseS3Error('PutObject', 's3://b/k', res(429, '')).permanent).toBe(false);
    expect(parseS3Error('PutObject', 's3://b/k', res(408, '')).permanent).toBe(false);
    expect(
      parseS3Error('PutObject', 's3://b/k', res(404, '<Error><Code>NoSuchBucket</Code></Error>'))
        .code,
    ).toBe('NoSuchBucket');
  });
});

// ---------- against a real S3-compatible server ----------

let dir: string;
let s3: TestS3;
let small: string;
let big: string;
let bigBytes: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-s3-'));
  s3 = await startTestS3(join(dir, 'server'));
  small = join(dir, 'small.bin');
  writeFileSync(small, randomBytes(300 * 1024));
  // 5 parts of 5 MiB: four full, the last 1.5 MiB.
  bigBytes = randomBytes(21.5 * MiB);
  big = join(dir, 'big.bin');
  writeFileSync(big, bigBytes);
});
afterAll(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  s3.requests.length = 0;
  s3.intercept = null;
});

const client = (over: Partial<ConstructorParameters<typeof S3Client>[0]> = {}) =>
  new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    pathStyle: true,
    accessKeyId: TEST_ACCESS_KEY,
    secretAccessKey: TEST_SECRET,
    ...over,
  });

describe('S3Client on s3rver', () => {
  it('puts a small object with one signed PUT and reads back its metadata', async () => {
    const progress: number[] = [];
    const r = await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/s 1/small clip.bin',
      file: small,
      contentType: 'video/mp4',
      metadata: { 'clip-id': 'c1', title: '直播 高光' },
      sha256: 'abc',
      onProgress: (sent) => progress.push(sent),
    });
    expect(r).toMatchObject({ multipart: false, skipped: false, size: 300 * 1024 });
    expect(s3.ops('PutObject')).toHaveLength(1);
    expect(progress.at(-1)).toBe(300 * 1024);
    expect(await s3.getObject('clips/s 1/small clip.bin')).toEqual(
      await import('node:fs').then((fs) => fs.readFileSync(small)),
    );
    const head = await client().headObject({ bucket: s3.bucket, key: 'clips/s 1/small clip.bin' });
    expect(head).toMatchObject({ size: 300 * 1024, contentType: 'video/mp4' });
    expect(head!.metadata).toMatchObject({ 'clip-id': 'c1', sha256: 'abc' });
    // Non-ASCII metadata travels percent-encoded (HTTP headers are ASCII).
    expect(decodeURIComponent(head!.metadata['title']!)).toBe('直播 高光');
    expect(await client().headObject({ bucket: s3.bucket, key: 'clips/none.bin' })).toBeNull();
  });

  it('uploads a file larger than the part size in 5 MiB parts, each signed with its own hash', async () => {
    const saved: Array<MultipartState | null> = [];
    const r = await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/big.bin',
      file: big,
      partSize: 5 * MiB,
      saveState: (s) => void saved.push(s && structuredClone(s)),
    });
    expect(r).toMatchObject({ multipart: true, partsSent: 5, restarted: false });
    expect(s3.ops('CreateMultipartUpload')).toHaveLength(1);
    expect(
      s3
        .ops('UploadPart')
        .map((p) => p.partNumber)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
    expect(
      s3
        .ops('UploadPart')
        .map((p) => p.bytes)
        .sort((a, b) => a - b)[0],
    ).toBe(1.5 * MiB);
    expect(s3.ops('CompleteMultipartUpload')).toHaveLength(1);
    // The state was saved after every part, and cleared at the end.
    expect(saved.filter((s) => s !== null).map((s) => s!.parts.length)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(saved.at(-1)).toBeNull();
    expect((await s3.getObject('clips/big.bin'))!.equals(bigBytes)).toBe(true);
  });

  it('resumes an interrupted upload from its saved state: only the missing parts are sent', async () => {
    const ac = new AbortController();
    let state: MultipartState | null = null;
    const first = uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/resumed.bin',
      file: big,
      partSize: 5 * MiB,
      concurrency: 1,
      signal: ac.signal,
      saveState: (s) => {
        state = s && structuredClone(s);
        // Interrupted once two parts are stored (like a quit or a crash at that point).
        if (s && s.parts.length === 2) ac.abort(new Error('stopped by the test'));
      },
    });
    await expect(first).rejects.toThrow('stopped by the test');
    const kept = state as MultipartState | null;
    expect(kept?.parts.map((p) => p.n)).toEqual([1, 2]);
    const before = s3.ops('UploadPart').length;

    s3.requests.length = 0;
    const r = await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/resumed.bin',
      file: big,
      partSize: 5 * MiB,
      state: kept,
      saveState: (s) => void (state = s),
    });
    expect(before).toBeGreaterThanOrEqual(2);
    expect(r).toMatchObject({ multipart: true, partsSent: 3, restarted: false });
    expect(s3.ops('CreateMultipartUpload')).toHaveLength(0);
    expect(
      s3
        .ops('UploadPart')
        .map((p) => p.partNumber)
        .sort(),
    ).toEqual([3, 4, 5]);
    expect(s3.ops('UploadPart').every((p) => p.uploadId === kept!.uploadId)).toBe(true);
    expect(state).toBeNull();
    expect((await s3.getObject('clips/resumed.bin'))!.equals(bigBytes)).toBe(true);
  });

  it('a connection cut mid-part is a retryable error; the resume sends that part and the rest', async () => {
    let state: MultipartState | null = null;
    s3.intercept = (r) =>
      r.op === 'UploadPart' && r.partNumber === 3 ? { kill: true } : undefined;
    const err = await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/cut.bin',
      file: big,
      partSize: 5 * MiB,
      concurrency: 1,
      retries: 0,
      saveState: (s) => void (state = s && structuredClone(s)),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isPermanentError(err)).toBe(false);
    expect((err as Error).message).toMatch(/UploadPart .*reset the connection|hang up/);
    expect((state as MultipartState | null)?.parts.map((p) => p.n)).toEqual([1, 2]);

    s3.intercept = null;
    s3.requests.length = 0;
    await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/cut.bin',
      file: big,
      partSize: 5 * MiB,
      state,
      saveState: (s) => void (state = s),
    });
    expect(
      s3
        .ops('UploadPart')
        .map((p) => p.partNumber)
        .sort(),
    ).toEqual([3, 4, 5]);
    expect((await s3.getObject('clips/cut.bin'))!.equals(bigBytes)).toBe(true);
  });

  it('retries a failed request itself (a 503 once) before giving up', async () => {
    let failures = 0;
    s3.intercept = (r) =>
      r.op === 'UploadPart' && r.partNumber === 2 && failures++ === 0
        ? { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }
        : undefined;
    const r = await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/slow.bin',
      file: big,
      partSize: 5 * MiB,
    });
    expect(r.partsSent).toBe(5);
    expect(
      s3
        .ops('UploadPart')
        .filter((p) => p.partNumber === 2)
        .map((p) => p.status),
    ).toEqual([503, 200]);
    expect((await s3.getObject('clips/slow.bin'))!.equals(bigBytes)).toBe(true);
  });

  it('starts over when the server no longer knows the saved upload (NoSuchUpload)', async () => {
    const ac = new AbortController();
    let state: MultipartState | null = null;
    await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/forgotten.bin',
      file: big,
      partSize: 5 * MiB,
      concurrency: 1,
      signal: ac.signal,
      saveState: (s) => {
        state = s && structuredClone(s);
        if (s && s.parts.length === 1) ac.abort();
      },
    }).catch(() => undefined);
    const old = (state as MultipartState | null)!.uploadId;
    // The bucket's lifecycle rule expired it meanwhile.
    s3.intercept = (r) =>
      r.uploadId === old
        ? { status: 404, code: 'NoSuchUpload', message: 'The specified upload does not exist.' }
        : undefined;
    s3.requests.length = 0;
    const r = await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/forgotten.bin',
      file: big,
      partSize: 5 * MiB,
      state,
    });
    expect(r).toMatchObject({ restarted: true, partsSent: 5 });
    expect(s3.ops('CreateMultipartUpload')).toHaveLength(1);
    expect(s3.ops('UploadPart').every((p) => p.uploadId !== old)).toBe(true);
    expect((await s3.getObject('clips/forgotten.bin'))!.equals(bigBytes)).toBe(true);
  });

  it('on resume, re-sends a saved part the server does not list (ListParts)', async () => {
    const ac = new AbortController();
    let state: MultipartState | null = null;
    await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/listed.bin',
      file: big,
      partSize: 5 * MiB,
      concurrency: 1,
      signal: ac.signal,
      saveState: (s) => {
        state = s && structuredClone(s);
        if (s && s.parts.length === 3) ac.abort();
      },
    }).catch(() => undefined);
    const saved = state as MultipartState | null;
    expect(saved!.parts.map((p) => p.n)).toEqual([1, 2, 3]);
    // The server holds parts 1 and 3 only (s3rver has no ListParts: the test answers it).
    const listed = saved!.parts
      .filter((p) => p.n !== 2)
      .map(
        (p) =>
          `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag.replace(/"/g, '&quot;')}</ETag><Size>${p.size}</Size></Part>`,
      )
      .join('');
    s3.intercept = (r) =>
      r.op === 'ListParts'
        ? {
            status: 200,
            xml: `<ListPartsResult><IsTruncated>false</IsTruncated>${listed}</ListPartsResult>`,
          }
        : undefined;
    s3.requests.length = 0;
    await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/listed.bin',
      file: big,
      partSize: 5 * MiB,
      state: saved,
    });
    expect(s3.ops('ListParts')).toHaveLength(1);
    expect(
      s3
        .ops('UploadPart')
        .map((p) => p.partNumber)
        .sort(),
    ).toEqual([2, 4, 5]);
    expect((await s3.getObject('clips/listed.bin'))!.equals(bigBytes)).toBe(true);
  });

  it('starts over (aborting the old upload) when the file changed since the state was saved', async () => {
    const file = join(dir, 'changing.bin');
    writeFileSync(file, bigBytes.subarray(0, 11 * MiB));
    const ac = new AbortController();
    let state: MultipartState | null = null;
    await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/changing.bin',
      file,
      partSize: 5 * MiB,
      concurrency: 1,
      signal: ac.signal,
      saveState: (s) => {
        state = s && structuredClone(s);
        if (s && s.parts.length === 1) ac.abort();
      },
    }).catch(() => undefined);
    const saved = state as MultipartState | null;
    writeFileSync(file, bigBytes); // re-rendered meanwhile
    s3.requests.length = 0;
    const r = await uploadFile(client(), {
      bucket: s3.bucket,
      key: 'clips/changing.bin',
      file,
      partSize: 5 * MiB,
      state: saved,
    });
    expect(r).toMatchObject({ restarted: true, partsSent: 5 });
    expect(s3.ops('AbortMultipartUpload').map((x) => x.uploadId)).toEqual([saved!.uploadId]);
    expect((await s3.getObject('clips/changing.bin'))!.equals(bigBytes)).toBe(true);
  });

  it('does not upload an object that is already there with the same size and sha256', async () => {
    const opts = {
      bucket: s3.bucket,
      key: 'clips/twice.bin',
      file: big,
      partSize: 5 * MiB,
      sha256: 'f'.repeat(64),
    };
    await uploadFile(client(), opts);
    s3.requests.length = 0;
    const again = await uploadFile(client(), opts);
    expect(again.skipped).toBe(true);
    expect(s3.requests.map((r) => r.op)).toEqual(['HeadObject']);
    // Without skipIfSame it is uploaded again (force).
    s3.requests.length = 0;
    const forced = await uploadFile(client(), { ...opts, skipIfSame: false });
    expect(forced).toMatchObject({ skipped: false, partsSent: 5 });
  });

  it('speaks virtual-hosted style (bucket in the host name)', async () => {
    const vhost = client({ endpoint: s3.vhostEndpoint, pathStyle: false, agent: vhostAgent() });
    expect(vhost.objectUrl(s3.bucket, 'a b.mp4')).toBe(
      `http://${s3.bucket}.${new URL(s3.vhostEndpoint).host}/a%20b.mp4`,
    );
    await uploadFile(vhost, { bucket: s3.bucket, key: 'vhost/a b.bin', file: small });
    expect(s3.ops('PutObject')[0]!.host).toBe(`${s3.bucket}.${new URL(s3.vhostEndpoint).host}`);
    expect(await s3.getObject('vhost/a b.bin')).not.toBeNull();
  });

  it('a wrong secret is a clear, permanent error that does not echo the secret', async () => {
    const err = await uploadFile(client({ secretAccessKey: 'not-the-secret-0123' }), {
      bucket: s3.bucket,
      key: 'clips/denied.bin',
      file: small,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    const e = err as S3Error;
    expect(e).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch', permanent: true });
    expect(e.message).toMatch(
      /S3 PutObject s3:\/\/media\/clips\/denied\.bin failed: HTTP 403 SignatureDoesNotMatch/,
    );
    expect(e.message).toContain('check the secret access key');
    expect(e.message).not.toContain('not-the-secret-0123');
    expect(isPermanentError(e)).toBe(true);
    // Permanent: tried once, no in-call retries.
    expect(s3.ops('PutObject')).toHaveLength(1);
    const unknownKey = await client({ accessKeyId: 'NOBODY' })
      .headBucket({ bucket: s3.bucket })
      .catch((x: unknown) => x);
    expect(unknownKey).toMatchObject({ status: 403, permanent: true });
  });

  it('checks a bucket (HeadBucket) and says when it does not exist', async () => {
    await expect(client().headBucket({ bucket: s3.bucket })).resolves.toBeUndefined();
    await expect(client().headBucket({ bucket: 'no-such-bucket' })).rejects.toThrow(/NoSuchBucket/);
  });
});
