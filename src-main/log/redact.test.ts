import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, SENSITIVE_KEY } from './redact';

const R = REDACTED;

describe('SENSITIVE_KEY', () => {
  const cases: Array<[string, boolean]> = [
    ['token', true],
    ['accessToken', true],
    ['refresh_token', true],
    ['clientSecret', true],
    ['password', true],
    ['passwd', true],
    ['Authorization', true],
    ['cookie', true],
    ['Set-Cookie', true],
    ['credentials', true],
    ['apiKey', true],
    ['api-key', true],
    ['API_KEY', true],
    ['streamKey', true],
    ['stream_key', true],
    ['key', true],
    ['KEY', true],
    ['keyframe', false],
    ['monkey', false],
    ['sessionId', false],
    ['url', false],
    ['path', false],
  ];
  it.each(cases)('%s → %s', (key, sensitive) => {
    expect(SENSITIVE_KEY.test(key)).toBe(sensitive);
  });
});

describe('Redactor.redactString', () => {
  const r = new Redactor();
  r.addSecret('s3cr3t-stream-key');
  r.addSecret('p@ss word');
  const cases: Array<[string, string, string]> = [
    ['plain text is untouched', 'segment 12 written', 'segment 12 written'],
    ['registered secret in a message', 'using key s3cr3t-stream-key now', `using key ${R} now`],
    [
      'registered secret in an RTMP URL path',
      'rtmp://a.rtmp.youtube.com/live2/s3cr3t-stream-key',
      `rtmp://a.rtmp.youtube.com/live2/${R}`,
    ],
    ['percent-encoded secret', 'https://x/?q=p%40ss%20word', `https://x/?q=${R}`],
    ['query token', 'https://x/cb?token=abc123&page=2', `https://x/cb?token=${R}&page=2`],
    [
      'query access_token',
      'https://x/cb?a=1&access_token=abc.def-ghi',
      `https://x/cb?a=1&access_token=${R}`,
    ],
    [
      'fragment token',
      'http://127.0.0.1:5173/#token=xyz&expires_in=3600',
      `http://127.0.0.1:5173/#token=${R}&expires_in=3600`,
    ],
    [
      'api key param',
      'https://api/v3?key=AIzaXYZ&part=snippet',
      `https://api/v3?key=${R}&part=snippet`,
    ],
    ['free-text password=', 'login password=hunter2 failed', `login password=${R} failed`],
    ['harmless params stay', 'https://x/?keyframe=1&monkey=2', 'https://x/?keyframe=1&monkey=2'],
    ['bearer credential', 'Authorization: Bearer eyJhbGciOi.x.y', `Authorization: Bearer ${R}`],
    ['URL password', 'rtmp://user:hunter2@live.example/app', `rtmp://user:${R}@live.example/app`],
    ['URL with port only', 'http://127.0.0.1:8080/x', 'http://127.0.0.1:8080/x'],
    [
      'JSON pair in a string',
      'body {"access_token":"abc","ok":true}',
      `body {"access_token":"${R}","ok":true}`,
    ],
  ];
  it.each(cases)('%s', (_name, input, output) => {
    expect(r.redactString(input)).toBe(output);
  });

  it('removes the longer of two overlapping secrets whole', () => {
    const r2 = new Redactor();
    r2.addSecret('abc');
    r2.addSecret('abcdef');
    expect(r2.redactString('x abcdef y abc')).toBe(`x ${R} y ${R}`);
  });

  it('treats regex characters in secrets literally', () => {
    const r2 = new Redactor();
    r2.addSecret('a.b*c');
    expect(r2.redactString('a.b*c axbbc')).toBe(`${R} axbbc`);
  });

  it('ignores an empty secret', () => {
    const r2 = new Redactor();
    r2.addSecret('');
    expect(r2.redactString('unchanged')).toBe('unchanged');
  });
});

describe('Redactor.redactValue', () => {
  const r = new Redactor();
  r.addSecret('hunter2');

  const cases: Array<[string, unknown, unknown]> = [
    ['sensitive key', { token: 'abc', user: 'ann' }, { token: R, user: 'ann' }],
    [
      'nested sensitive key',
      { a: { b: { password: 'x', n: 1 } } },
      { a: { b: { password: R, n: 1 } } },
    ],
    [
      'sensitive key holding an object',
      { credentials: { user: 'u', pass: 'p' } },
      { credentials: R },
    ],
    ['inside arrays', { list: [{ apiKey: 'k' }, { ok: 1 }] }, { list: [{ apiKey: R }, { ok: 1 }] }],
    ['registered secret in a value', { note: 'pw is hunter2' }, { note: `pw is ${R}` }],
    ['registered secret in a key', { hunter2: 1 }, { [R]: 1 }],
    [
      'URL token in a value',
      { url: 'https://x/?access_token=q' },
      { url: `https://x/?access_token=${R}` },
    ],
    ['primitives', { n: 1, b: true, z: null }, { n: 1, b: true, z: null }],
    ['bigint', { big: 10n }, { big: '10' }],
    ['date', { at: new Date('2024-01-02T03:04:05.000Z') }, { at: '2024-01-02T03:04:05.000Z' }],
    ['URL object', { u: new URL('https://x/?token=abc') }, { u: `https://x/?token=${R}` }],
    [
      'Map',
      {
        m: new Map<string, unknown>([
          ['streamKey', 'k'],
          ['a', 1],
        ]),
      },
      { m: { streamKey: R, a: 1 } },
    ],
    ['Set', { s: new Set(['hunter2', 'x']) }, { s: [R, 'x'] }],
    ['buffer', { buf: Buffer.from('hunter2') }, { buf: '[Buffer 7 bytes]' }],
    ['function', { f: function named() {} }, { f: '[function named]' }],
  ];
  it.each(cases)('%s', (_name, input, output) => {
    expect(r.redactValue(input)).toEqual(output);
  });

  it('is cycle-safe', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    a['list'] = [a];
    expect(r.redactValue(a)).toEqual({ name: 'a', self: '[circular]', list: ['[circular]'] });
  });

  it('prints a shared (non-cyclic) object twice', () => {
    const shared = { x: 1 };
    expect(r.redactValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('stops at a depth limit', () => {
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 20; i++) {
      const next = {};
      deep['d'] = next;
      deep = next;
    }
    expect(JSON.stringify(r.redactValue(top))).toContain('[depth limit]');
  });

  it('serializes errors as name, message, stack, code and cause, redacted', () => {
    const cause = new Error('inner hunter2');
    const err = Object.assign(new TypeError('failed with hunter2', { cause }), {
      code: 'E_X',
      password: 'p',
    });
    const out = r.redactValue({ err }) as { err: Record<string, unknown> };
    expect(out.err['name']).toBe('TypeError');
    expect(out.err['message']).toBe(`failed with ${R}`);
    expect(out.err['stack']).toMatch(/^TypeError: failed with \[redacted\]/);
    expect(out.err['code']).toBe('E_X');
    expect(out.err['password']).toBe(R);
    expect((out.err['cause'] as Record<string, unknown>)['message']).toBe(`inner ${R}`);
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });

  it('survives throwing getters', () => {
    const o = {
      get boom(): string {
        throw new Error('no');
      },
      ok: 1,
    };
    expect(r.redactValue(o)).toEqual({ boom: '[unreadable]', ok: 1 });
  });
});
