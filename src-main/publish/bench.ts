/**
 * Upload throughput to a local S3 server (s3rver on 127.0.0.1, in this process): one PutObject of
 * the whole file, then a multipart upload of the same file (`partSizeMiB` parts, `concurrency` in
 * flight), each `runs` times; the medians are reported. Figures are MB/s (10^6 bytes a second) of
 * file data, payload hashing and signing included. They measure this client plus s3rver (which
 * writes every part to disk, then copies the parts into the object on completion — so multipart
 * is slower here than it is against a real service), not a network.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MiB, S3Client, uploadFile } from './s3';
import { startTestS3, TEST_ACCESS_KEY, TEST_SECRET } from './testing/s3-server';

export interface BenchUploadOptions {
  /** File size; default 64. */
  sizeMiB?: number | undefined;
  /** Multipart part size; default 8 (at least 5). */
  partSizeMiB?: number | undefined;
  /** Parts in flight; default 2 (uploadFile's default). */
  concurrency?: number | undefined;
  /** Repetitions (the median is reported); default 3. */
  runs?: number | undefined;
}

export interface BenchUploadResult {
  sizeMiB: number;
  /** MB/s of one PutObject. */
  single: number;
  /** MB/s of the multipart upload. */
  multipart: number;
  partSizeMiB: number;
  concurrency: number;
  parts: number;
}

export async function benchUpload(opts: BenchUploadOptions = {}): Promise<BenchUploadResult> {
  const sizeMiB = opts.sizeMiB ?? 64;
  const partSizeMiB = Math.max(5, opts.partSizeMiB ?? 8);
  const concurrency = opts.concurrency ?? 2;
  if (!(sizeMiB > partSizeMiB))
    throw new RangeError('benchUpload: sizeMiB must exceed partSizeMiB');
  const dir = mkdtempSync(join(tmpdir(), 'liveslice-upload-bench-'));
  const s3 = await startTestS3(join(dir, 's3'));
  try {
    const file = join(dir, 'clip.bin');
    writeFileSync(file, randomBytes(Math.round(sizeMiB * MiB)));
    const bytes = Math.round(sizeMiB * MiB);
    const client = new S3Client({
      endpoint: s3.direct,
      region: 'us-east-1',
      pathStyle: true,
      accessKeyId: TEST_ACCESS_KEY,
      secretAccessKey: TEST_SECRET,
    });
    const mbps = (ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;

    let t0 = performance.now();
    await client.putObject({
      bucket: s3.bucket,
      key: 'bench/single.bin',
      body: readFileSync(file),
    });
    const single = mbps(performance.now() - t0);

    t0 = performance.now();
    const r = await uploadFile(client, {
      bucket: s3.bucket,
      key: 'bench/multipart.bin',
      file,
      partSize: partSizeMiB * MiB,
      concurrency,
      skipIfSame: false,
    });
    const multipart = mbps(performance.now() - t0);
    return { sizeMiB, single, multipart, partSizeMiB, concurrency, parts: r.partsSent };
  } finally {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
