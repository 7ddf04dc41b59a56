/**
 * Headless auto-publish: `liveslice process … --publish folder:<dir> --publish s3:<id>
 * --publish webhook:<url>` with the S3 target and its secret from --config. The built CLI, real
 * ffmpeg, a real S3-compatible server (s3rver) and a webhook receiver, all on 127.0.0.1.
 * A clip whose captions carry a blocked word is held back and listed in report.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DB_FILE } from '../store';
import {
  startTestS3,
  TEST_ACCESS_KEY,
  TEST_SECRET,
  type TestS3,
} from '../publish/testing/s3-server';
import { startWebhookReceiver, type WebhookReceiver } from '../publish/testing/webhook-server';
import { FFMPEG, makeClip, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';

const BIN = join(__dirname, 'bin.cjs');
const BUILT = join(__dirname, '..', '..', 'out', 'main', 'cli.js');
let dir: string;
let media: string;
let vtt: string;
let s3: TestS3 | null = null;
let hook: WebhookReceiver | null = null;

beforeAll(async () => {
  if (!existsSync(BUILT))
    throw new Error(`${BUILT} is missing: run \`npm run build\` before the tests`);
  dir = mkdtempSync(join(tmpdir(), 'liveslice-cli-publish-'));
  if (FFMPEG) media = makeClip(dir, 'av', { seconds: 24, size: '640x360' });
  vtt = join(dir, 's.vtt');
  writeFileSync(
    vtt,
    'WEBVTT\n\n00:02.500 --> 00:04.000\n全场五折！快来\n\n' +
      '00:16.000 --> 00:18.000\n最后三分钟，加微信下单\n',
  );
  s3 = await startTestS3(join(dir, 's3'), { bucket: 'clips' });
  hook = await startWebhookReceiver(null);
});
afterAll(async () => {
  await s3?.stop();
  await hook?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '--data-dir', join(dir, 'data')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LIVESLICE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

it.skipIf(missing(FFMPEG ? null : NO_FFMPEG))(
  'publishes the clips that pass to a folder, S3 and a webhook; holds back the flagged one',
  async () => {
    const out = join(dir, 'out');
    const folder = join(dir, 'published');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        publish: {
          targets: [
            {
              id: 'local-s3',
              name: 'Local S3',
              enabled: true,
              kind: 's3',
              endpoint: s3!.endpoint,
              region: 'us-east-1',
              bucket: 'clips',
              prefix: 'live/',
              pathStyle: true,
              accessKeyId: TEST_ACCESS_KEY,
            },
          ],
          secrets: { 'local-s3': TEST_SECRET },
        },
      }),
    );
    const r = await cli([
      'process',
      media,
      '--out',
      out,
      '--transcript',
      vtt,
      '--config',
      config,
      '--publish',
      `folder:${folder}`,
      '--publish',
      's3:local-s3',
      '--publish',
      `webhook:${hook!.url}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      clips: number;
      held_back: Array<{ id: string; reason: string }>;
      published: number;
      moment_to_published_ms: { p50: number | null };
      publications: Array<{ clip: string; kind: string; state: string; url: string | null }>;
    };
    expect(report.clips).toBe(2);
    expect(report.held_back).toHaveLength(1);
    expect(report.held_back[0]!.reason).toContain('加微信');
    expect(r.stderr).toContain(`clip ${report.held_back[0]!.id} held back`);
    expect(report.published, r.stderr).toBe(1);
    expect(report.moment_to_published_ms.p50).toBeGreaterThan(0);
    const ok = report.publications.filter((p) => p.state === 'done');
    expect(ok.map((p) => p.kind).sort()).toEqual(['folder', 's3', 'webhook']);
    const id = ok[0]!.clip;
    expect(id).not.toBe(report.held_back[0]!.id);

    // The folder: the MP4 and its sidecar, whose metadata says what it is.
    const mp4 = readFileSync(join(folder, `${id}.mp4`));
    expect(mp4.equals(readFileSync(join(out, 'clips', `${id}.mp4`)))).toBe(true);
    const sidecar = JSON.parse(readFileSync(join(folder, `${id}.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(sidecar).toMatchObject({ id, safety: { state: 'ok' }, engine: 'clip' });
    expect(String(sidecar['prompt'])).toContain('全场五折');
    expect(existsSync(join(folder, `${report.held_back[0]!.id}.mp4`))).toBe(false);

    // S3: the same bytes under the prefix.
    const obj = await s3!.getObject(`live/${id}.mp4`);
    expect(obj?.equals(mp4)).toBe(true);
    expect(await s3!.getObject(`live/${report.held_back[0]!.id}.mp4`)).toBeNull();

    // The webhook went out once, after the uploads, with their URLs.
    expect(hook!.deliveries).toHaveLength(1);
    const body = JSON.stringify(hook!.deliveries[0]!.json);
    expect(body).toContain(id);
    expect(body).toContain(`live/${id}.mp4`);

    // The secret from --config stays in the run's memory: nothing was stored in the vault.
    const db = new Database(join(dir, 'data', DB_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM credentials').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }

    // Bad targets fail before anything runs, with exit 2.
    const bad = await cli(['process', media, '--out', out, '--publish', 's3:nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no publish target "nowhere"/);
  },
  240_000,
);
