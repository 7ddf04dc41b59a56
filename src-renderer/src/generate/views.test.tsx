/**
 * The generation views rendered to static HTML against a seeded store: what the operator sees of
 * a running, failed and finished job, the worker's status, and the form, in both languages.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import {
  SETTING_DEFAULTS,
  type Generation,
  type GenerationStatus,
  type Highlight,
} from '../contract';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { EngineProvider } from '../state/context';
import { connectEngine } from '../state/engine';
import { createAppStore } from '../state/store';
import { fakeClient } from '../testing/fakeClient';
import { generationFor, statusFor } from './fixtures';
import { GenerateDialog } from './GenerateDialog';
import { GenerationList } from './GenerationList';
import { GenerationWorker } from './GenerationWorker';

const S = 'sess_gen00001';
const H = `${S}-h1`;
const gen = (n: number, over: Partial<Generation> = {}) => generationFor(`${H}-g${n}`, S, over);

function render(
  node: ReactNode,
  seed: { generations?: Generation[]; status?: GenerationStatus; language?: 'en' | 'zh-CN' },
) {
  const fake = fakeClient({}, 'connected');
  const store = createAppStore({
    transport: 'websocket',
    connection: 'connected',
    systemLanguages: ['en'],
  });
  const actions = connectEngine(fake.client, store);
  const s = store.getState();
  s.setSettings({ ...SETTING_DEFAULTS, 'ui.language': seed.language ?? 'en' });
  if (seed.generations) {
    s.beginGenerationsLoad(S);
    s.endGenerationsLoad(S, { generations: seed.generations });
  }
  if (seed.status) s.setGenerationStatus(seed.status);
  // Server rendering reads zustand's initial state; point it at the seeded state.
  const seeded = { ...store, getInitialState: store.getState };
  return renderToStaticMarkup(
    <EngineProvider engine={{ client: fake.client, store: seeded, actions }}>
      {node}
    </EngineProvider>,
  );
}

/** The HTML of one list entry, by generation id. */
function entry(html: string, id: string): string {
  const start = html.indexOf(`data-generation-id="${id}"`);
  expect(start, id).toBeGreaterThan(-1);
  const end = html.indexOf('</li>', start);
  return html.slice(start, end);
}

describe('the generations list', () => {
  const list = [
    gen(1, {
      state: 'done',
      file: 'sessions/sess_gen00001/generated/h1-g1.mp4',
      provider: 'cuda',
      createdAt: 100,
    }),
    gen(2, {
      state: 'failed',
      error: 'The CUDA provider ran out of memory at step 12 (needs 9.1 GiB, 7.8 GiB free)',
      createdAt: 200,
    }),
    gen(3, {
      state: 'running',
      step: 12,
      steps: 30,
      progress: 0.4,
      etaS: 200,
      provider: 'cpu',
      createdAt: 300,
    }),
    gen(4, { createdAt: 400 }),
  ];

  it('a running job: state, step i/N, progress bar, ETA, provider and Cancel', () => {
    const html = entry(
      render(<GenerationList sessionId={S} highlightId={H} />, { generations: list }),
      `${H}-g3`,
    );
    expect(html).toContain('data-state="running"');
    expect(html).toContain('step 12/30');
    expect(html).toContain('about 3:20 left');
    expect(html).toContain('on cpu');
    expect(html).toMatch(/<progress[^>]*value="40"/);
    expect(html).toContain('data-testid="generation-cancel"');
    expect(html).not.toContain('data-testid="generation-video"');
  });

  it('a queued job can be cancelled; finished ones cannot', () => {
    const html = render(<GenerationList sessionId={S} highlightId={null} />, { generations: list });
    expect(entry(html, `${H}-g4`)).toContain('data-testid="generation-cancel"');
    expect(entry(html, `${H}-g2`)).not.toContain('data-testid="generation-cancel"');
    expect(entry(html, `${H}-g1`)).not.toContain('data-testid="generation-cancel"');
    // Newest first.
    expect(html.indexOf(`${H}-g4`)).toBeLessThan(html.indexOf(`${H}-g1`));
  });

  it('a failed job shows its error in full', () => {
    const html = entry(
      render(<GenerationList sessionId={S} highlightId={H} />, { generations: list }),
      `${H}-g2`,
    );
    expect(html).toContain(
      'Failed: The CUDA provider ran out of memory at step 12 (needs 9.1 GiB, 7.8 GiB free)',
    );
  });

  it('the finished one plays its video from the data directory, with the AI badge', () => {
    const html = entry(
      render(<GenerationList sessionId={S} highlightId={H} />, { generations: list }),
      `${H}-g1`,
    );
    expect(html).toContain('src="/media/sessions/sess_gen00001/generated/h1-g1.mp4"');
    expect(html).toContain('data-testid="generation-ai-badge"');
    expect(html).toContain('AI-generated');
  });

  it('a file outside the data directory is not played', () => {
    const bad = gen(5, { state: 'done', file: '../../etc/passwd', createdAt: 500 });
    const html = entry(
      render(<GenerationList sessionId={S} highlightId={H} />, { generations: [bad] }),
      `${H}-g5`,
    );
    expect(html).not.toContain('<video');
    expect(html).toContain('data-testid="generation-video-unavailable"');
  });

  it('in Chinese: the state, the step and the badge', () => {
    const html = render(<GenerationList sessionId={S} highlightId={H} />, {
      generations: list,
      language: 'zh-CN',
    });
    expect(entry(html, `${H}-g3`)).toContain('第 12/30 步');
    expect(entry(html, `${H}-g3`)).toContain(zhCN['generate.state.running']);
    expect(entry(html, `${H}-g1`)).toContain('AI生成');
  });

  it('an empty session says so once loaded', () => {
    const html = render(<GenerationList sessionId={S} highlightId={H} />, { generations: [] });
    expect(html).toContain('data-testid="generations-empty"');
    expect(html).toContain(en['generate.empty']);
  });
});

describe("the worker's status", () => {
  it('shows state, provider and its reason, cold start, model, idle unload and the models', () => {
    const status: GenerationStatus = {
      worker: {
        state: 'ready',
        provider: 'cpu',
        providerReason: 'CUDA: libcudart.so.12 not found; DirectML and CoreML: not this platform',
        coldStartMs: 1834.6,
        model: 'tiny-t2v',
        idleUnloadS: 300,
      },
      models: [
        { id: 'tiny-t2v', dir: 'models/tiny-t2v', ok: true, reason: null },
        {
          id: 'wan2.2-ti2v-5b',
          dir: 'models/wan',
          ok: false,
          reason: 'transformer.onnx: sha256 differs',
        },
      ],
    };
    const html = render(<GenerationWorker />, { status });
    expect(html).toContain('data-state="ready"');
    expect(html).toContain(
      'CUDA: libcudart.so.12 not found; DirectML and CoreML: not this platform',
    );
    expect(html).toContain('1835 ms');
    expect(html).toContain('after 300 s idle');
    expect(html).toContain('data-model-id="wan2.2-ti2v-5b" data-ok="false"');
    expect(html).toContain('Not usable: transformer.onnx: sha256 differs');
    // The settings: every provider offered, the idle seconds as stored.
    expect(html).toContain('data-testid="generation-provider-setting"');
    for (const p of ['auto', 'cuda', 'tensorrt', 'dml', 'coreml', 'cpu']) {
      expect(html).toContain(`value="${p}"`);
    }
    expect(html).toMatch(/data-testid="generation-idle-setting"[^>]*value="300"/);
  });

  it('no model installed: says how to get one; idle unload 0 reads as never', () => {
    const status = { ...statusFor({ idleUnloadS: 0 }), models: [] };
    const html = render(<GenerationWorker />, { status });
    expect(html).toContain('data-testid="generation-models-empty"');
    expect(html).toContain(en['generate.worker.idleUnloadNever']);
  });
});

describe('the form', () => {
  const h: Highlight = {
    id: H,
    sessionId: S,
    start: 62,
    end: 74,
    detectedStart: 62,
    detectedEnd: 74,
    score: 0.8,
    reasons: [],
    text: 'only 3 left',
    category: 'price',
    state: 'final',
    review: 'new',
    delayMs: null,
    createdAt: 1,
    updatedAt: 1,
  };

  it.each([
    ['en', en],
    ['zh-CN', zhCN],
  ] as const)('%s: frames 4k+1 only, the size presets, and the slow note', (language, dict) => {
    const html = render(<GenerateDialog highlight={h} onClose={() => undefined} />, { language });
    expect(html).toContain(dict['generate.slowNote']);
    const frames = [...html.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(frames).toEqual([17, 33, 49, 81]);
    for (const size of ['832x480', '480x832', '1280x720'])
      expect(html).toContain(`value="${size}"`);
    expect(html).toContain(`placeholder="${dict['generate.seedPlaceholder']}"`);
  });
});
