import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { DETECT_DEFAULTS } from '../api/contract';
import {
  ChatSocket,
  ClockFeed,
  InputFileError,
  parseChat,
  parseChatUrl,
  parseClock,
  parseConfig,
  parseMarks,
} from './inputs';
import type { ChatMsg } from './types';

describe('parseClock', () => {
  it.each([
    ['83.5', 83.5],
    ['0', 0],
    ['1:23.5', 83.5],
    ['01:02:03.250', 3723.25],
    ['10:00', 600],
    [' 7 ', 7],
  ])('%s → %s', (text, want) => expect(parseClock(text)).toBe(want));
  it.each(['', 'abc', '-3', '1:75', '1:2:3:4', '3s', '1e3'])('%s is not a time', (text) =>
    expect(parseClock(text)).toBeNull(),
  );
});

describe('parseMarks', () => {
  it('reads one time a line with notes and comments, sorted', () => {
    expect(parseMarks('m.txt', '# marks\n90 big reveal\n\n1:00.5\n')).toEqual([
      { at: 60.5, source: 'file' },
      { at: 90, source: 'file', note: 'big reveal' },
    ]);
  });
  it('reads a JSON list', () => {
    expect(parseMarks('m.json', '[{"at": 12, "note": "x"}, 3]')).toEqual([
      { at: 3, source: 'file' },
      { at: 12, source: 'file', note: 'x' },
    ]);
  });
  it.each([
    ['10\nsoon\n', 'm.txt, line 2'],
    ['[{"at": -1}]', 'entry 1'],
    ['[{"at": "5"}]', 'entry 1'],
    ['[{"at": 1}', 'not valid JSON'],
  ])('refuses %j naming where', (text, where) => {
    expect(() => parseMarks('m.txt', text)).toThrow(InputFileError);
    expect(() => parseMarks('m.txt', text)).toThrow(where);
  });
});

describe('parseChat', () => {
  it('reads JSONL, caps text, keeps hostile text literal', () => {
    const long = 'x'.repeat(5000);
    const msgs = parseChat(
      'c.jsonl',
      `{"at": 2, "text": "${long}"}\n{"at": 1, "text": "'; rm -rf / {n}", "user": "a"}\n`,
    );
    expect(msgs[0]).toEqual({ at: 1, text: "'; rm -rf / {n}", user: 'a' });
    expect(msgs[1]!.text).toHaveLength(2000);
  });
  it.each([
    ['{"at": 1, "text": "a"}\nnope', 'line 2'],
    ['{"text": "a"}', 'line 1: "at"'],
    ['{"at": 1, "text": 5}', '"text" must be a string'],
  ])('refuses %j', (text, where) => expect(() => parseChat('c.jsonl', text)).toThrow(where));
});

describe('ClockFeed', () => {
  it('releases items once the media clock passes them, once each', () => {
    const got: number[] = [];
    const feed = new ClockFeed([{ at: 1 }, { at: 2 }, { at: 5 }], (x) => got.push(x.at));
    feed.advance(0.5);
    expect(got).toEqual([]);
    feed.advance(2);
    feed.advance(2);
    expect(got).toEqual([1, 2]);
    expect(feed.remaining).toBe(1);
  });
});

describe('parseChatUrl', () => {
  it('takes ws and wss only, without credentials', () => {
    expect(parseChatUrl('ws://127.0.0.1:9/chat').host).toBe('127.0.0.1:9');
    expect(() => parseChatUrl('http://x/chat')).toThrow('ws:// or wss://');
    expect(() => parseChatUrl('ws://u:p@x/chat')).toThrow('password');
    expect(() => parseChatUrl('not a url')).toThrow('not a URL');
  });
});

describe('parseConfig', () => {
  it('merges partial detect settings over the base', () => {
    const { detect } = parseConfig(
      'c.json',
      '{"detect": {"minScore": 0.7, "excitement": {"jumpDb": 10}}}',
      DETECT_DEFAULTS,
    );
    expect(detect.minScore).toBe(0.7);
    expect(detect.excitement).toEqual({ ...DETECT_DEFAULTS.excitement, jumpDb: 10 });
    expect(detect.preRollMaxS).toBe(DETECT_DEFAULTS.preRollMaxS);
  });
  it.each([
    ['{"detect": {"preRollMinS": -1}}', 'detect.preRollMinS'],
    ['{"detect": {"minScore": 1.5}}', 'minimum score is at most 1'],
    ['{"detect": {"maxWindowS": 0}}', 'longer than 0'],
    ['{"detect": {"preRollMinS": 20, "preRollMaxS": 5}}', 'minimum pre-roll is longer'],
    ['{"detect": {"bogus": 1}}', 'bogus'],
    ['{"detectt": {}}', 'unknown key "detectt"'],
    ['[1]', 'a config is a JSON object'],
    ['{', 'not valid JSON'],
  ])('refuses %s with the reason', (text, why) =>
    expect(() => parseConfig('c.json', text, DETECT_DEFAULTS)).toThrow(why),
  );
});

describe('ChatSocket', () => {
  it('stamps messages with the media clock, takes JSON or plain text, ignores binary', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const { port } = wss.address() as AddressInfo;
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ text: '买爆了', user: 'fan' }));
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      ws.send('plain 666');
      ws.send(JSON.stringify({ nope: 1 }));
    });
    const got: ChatMsg[] = [];
    let clock = 12.5;
    const done = new Promise<void>((resolve) => {
      const sock = new ChatSocket(
        new URL(`ws://127.0.0.1:${port}/`),
        () => clock++,
        (m) => {
          got.push(m);
          if (got.length === 2) {
            sock.close();
            resolve();
          }
        },
      );
    });
    await done;
    expect(got).toEqual([
      { at: 12.5, text: '买爆了', user: 'fan' },
      { at: 13.5, text: 'plain 666' },
    ]);
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  });
});
