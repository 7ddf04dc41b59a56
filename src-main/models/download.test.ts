import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile, DownloadError } from './download';
import { sha256 } from './testFixtures';
import { startFileServer, type FileServer } from './testServer';
import { clearVerifyCache } from './verify';

const BODY = randomBytes(300_000);
const EXP = { bytes: BODY.length, sha256: sha256(BODY) };
let srv: FileServer;
let dir: string;

beforeAll(async () => {
  srv = await startFileServer({});
});
afterAll(async () => {
  await srv.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-dl-'));
  for (const k of Object.keys(srv.routes)) delete srv.routes[k];
  srv.requests.length = 0;
  clearVerifyCache();
  return () => rmSync(dir, { recursive: true, force: true });
});

const fail = (p: Promise<unknown>): Promise<DownloadError> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(DownloadError);
      return e as DownloadError;
    },
  );

describe('downloadFile', () => {
  it('downloads, reports progress, verifies and renames into place', async () => {
    srv.routes['/m.onnx'] = { body: BODY };
    const dest = join(dir, 'sub', 'm.onnx');
    const seen: [number, number | null][] = [];
    await downloadFile(`${srv.url}/m.onnx`, dest, {
      ...EXP,
      onProgress: (r, t) => seen.push([r, t]),
    });
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(seen[0]).toEqual([0, BODY.length]);
    expect(seen.at(-1)).toEqual([BODY.length, BODY.length]);
  });

  it('resumes after a cut connection with a Range request (206 → append)', async () => {
    srv.routes['/m.onnx'] = { body: BODY, cutAt: 100_000 };
    const dest = join(dir, 'm.onnx');
    const e = await fail(downloadFile(`${srv.url}/m.onnx`, dest, EXP));
    expect(['network', 'incomplete']).toContain(e.kind);
    const kept = statSync(`${dest}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(BODY.length);
    expect(existsSync(dest)).toBe(false);

    const seen: number[] = [];
    await downloadFile(`${srv.url}/m.onnx`, dest, { ...EXP, onProgress: (r) => seen.push(r) });
    expect(srv.requests.map((r) => r.range)).toEqual([undefined, `bytes=${kept}-`]);
    expect(seen[0]).toBe(kept);
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('restarts from zero when the server ignores Range (200)', async () => {
    srv.routes['/m.onnx'] = { body: BODY, ignoreRange: true };
    const dest = join(dir, 'm.onnx');
    writeFileSync(`${dest}.part`, Buffer.from('garbage that is not the start of the file'));
    await downloadFile(`${srv.url}/m.onnx`, dest, EXP);
    expect(srv.requests[0]?.range).toBe('bytes=41-');
    expect(readFileSync(dest).equals(BODY)).toBe(true);
  });

  it('verifies a .part as is on 416, and restarts when it is wrong', async () => {
    srv.routes['/m.onnx'] = { body: BODY };
    const dest = join(dir, 'm.onnx');
    // A complete, correct .part needs no request at all.
    writeFileSync(`${dest}.part`, BODY);
    await downloadFile(`${srv.url}/m.onnx`, dest, EXP);
    expect(srv.requests).toHaveLength(0);
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    // Without an expected size the server's 416 says the .part is complete.
    rmSync(dest);
    writeFileSync(`${dest}.part`, BODY);
    await downloadFile(`${srv.url}/m.onnx`, dest);
    expect(srv.requests.map((r) => r.range)).toEqual([`bytes=${BODY.length}-`]);
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    // A complete-looking but wrong .part is deleted and fetched again.
    rmSync(dest);
    const wrong = Buffer.from(BODY);
    wrong[5] = wrong[5]! ^ 0xff;
    writeFileSync(`${dest}.part`, wrong);
    await downloadFile(`${srv.url}/m.onnx`, dest, EXP);
    expect(readFileSync(dest).equals(BODY)).toBe(true);
  });

  it('follows redirects (at most 5, http/https only)', async () => {
    srv.routes['/m.onnx'] = { body: BODY };
    srv.routes['/r1'] = { redirect: '/r2' };
    srv.routes['/r2'] = { redirect: `${srv.url}/m.onnx` };
    const dest = join(dir, 'm.onnx');
    await downloadFile(`${srv.url}/r1`, dest, EXP);
    expect(readFileSync(dest).equals(BODY)).toBe(true);

    for (let i = 0; i < 7; i++) srv.routes[`/loop${i}`] = { redirect: `/loop${i + 1}` };
    const e = await fail(downloadFile(`${srv.url}/loop0`, join(dir, 'x'), EXP));
    expect(e.kind).toBe('redirect');
    expect(e.message).toMatch(/more than 5 redirects/);

    srv.routes['/ftp'] = { redirect: 'ftp://127.0.0.1/m.onnx' };
    const f = await fail(downloadFile(`${srv.url}/ftp`, join(dir, 'y'), EXP));
    expect(f.message).toMatch(/refusing ftp:/);
  });

  it('deletes the .part and fails on a wrong file', async () => {
    const wrong = Buffer.from(BODY);
    wrong[1000] = wrong[1000]! ^ 0xff;
    srv.routes['/m.onnx'] = { body: wrong };
    const dest = join(dir, 'm.onnx');
    const e = await fail(downloadFile(`${srv.url}/m.onnx`, dest, EXP));
    expect(e.kind).toBe('hash');
    expect(e.message).toMatch(/wrong file.*sha256/);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);

    srv.routes['/big'] = { body: Buffer.concat([BODY, Buffer.from('extra')]) };
    const big = await fail(downloadFile(`${srv.url}/big`, dest, EXP));
    expect(big.kind).toBe('size');
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('fails on HTTP errors, stalls and cancellation (keeping the .part)', async () => {
    const dest = join(dir, 'm.onnx');
    const e404 = await fail(downloadFile(`${srv.url}/missing`, dest, EXP));
    expect(e404.kind).toBe('http');
    expect(e404.message).toMatch(/HTTP 404/);

    srv.routes['/stall'] = { body: BODY, stall: true };
    const stalled = await fail(
      downloadFile(`${srv.url}/stall`, dest, { ...EXP, stallTimeoutMs: 200 }),
    );
    expect(stalled.kind).toBe('stalled');

    srv.routes['/slow'] = { body: BODY, cutAt: 1000, cuts: 1 };
    const ac = new AbortController();
    ac.abort();
    const aborted = await fail(
      downloadFile(`${srv.url}/slow`, dest, { ...EXP, signal: ac.signal }),
    );
    expect(aborted.kind).toBe('aborted');
  });

  it('cancels a running download and keeps the .part to resume', async () => {
    srv.routes['/m.onnx'] = { body: BODY, stall: true };
    const dest = join(dir, 'm.onnx');
    writeFileSync(`${dest}.part`, BODY.subarray(0, 5000));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const e = await fail(downloadFile(`${srv.url}/m.onnx`, dest, { ...EXP, signal: ac.signal }));
    expect(e.kind).toBe('aborted');
    expect(statSync(`${dest}.part`).size).toBe(5000);
    srv.routes['/m.onnx'] = { body: BODY };
    await downloadFile(`${srv.url}/m.onnx`, dest, EXP);
    expect(readFileSync(dest).equals(BODY)).toBe(true);
  });
});
