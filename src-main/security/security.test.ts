import { describe, expect, it } from 'vitest';
import { injectCspMeta, parseCsp, RENDERER_CSP, RENDERER_CSP_HEADER } from './csp';
import {
  isAllowedHostHeader,
  isAllowedOrigin,
  isLoopbackHost,
  isSafeExternalUrl,
  isTrustedAppUrl,
} from './urls';

describe('isSafeExternalUrl', () => {
  it.each([
    ['https://douyin.com/live/1', true],
    ['http://example.com', true],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['smb://host/share', false],
    ['https://user:pw@example.com', false],
    ['not a url', false],
    ['data:text/html,<script>', false],
  ])('%s → %s', (url, ok) => expect(isSafeExternalUrl(url)).toBe(ok));
});

describe('isTrustedAppUrl', () => {
  const file = { kind: 'file', dir: '/opt/LiveSlice/resources/app/out/renderer' } as const;
  const dev = { kind: 'origin', origin: 'http://localhost:5173' } as const;
  it.each([
    ['file:///opt/LiveSlice/resources/app/out/renderer/index.html', file, true],
    ['file:///opt/LiveSlice/resources/app/out/renderer/../../../evil.html', file, false],
    ['file:///opt/LiveSlice/resources/app/out/renderer-evil/index.html', file, false],
    ['file:///tmp/index.html', file, false],
    ['file://evil-host/opt/LiveSlice/resources/app/out/renderer/index.html', file, false],
    ['https://evil.example/index.html', file, false],
    ['http://localhost:5173/index.html', dev, true],
    ['http://localhost:5174/', dev, false],
    ['http://localhost:5173.evil.example/', dev, false],
    ['http://evil.example/?http://localhost:5173', dev, false],
  ] as const)('%s', (url, where, ok) => expect(isTrustedAppUrl(url, where)).toBe(ok));
});

describe('loopback, Host and Origin checks', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.4.5', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['192.168.1.2', false],
    ['127.0.0.1.evil.example', false],
    ['127.256.0.1', false],
  ])('isLoopbackHost(%s) = %s', (h, ok) => expect(isLoopbackHost(h)).toBe(ok));

  it.each([
    ['127.0.0.1:4000', true],
    ['localhost:4000', true],
    ['[::1]:4000', true],
    ['127.0.0.1:4001', false],
    ['evil.example:4000', false],
    ['127.0.0.1', false],
    ['user@127.0.0.1:4000', false],
    [undefined, false],
  ])('Host %s on port 4000 → %s', (h, ok) => expect(isAllowedHostHeader(h, 4000)).toBe(ok));

  it.each([
    [undefined, '127.0.0.1:4000', true],
    ['http://127.0.0.1:4000', '127.0.0.1:4000', true],
    ['http://evil.example', '127.0.0.1:4000', false],
    ['http://127.0.0.1:4000.evil.example', '127.0.0.1:4000', false],
    ['null', '127.0.0.1:4000', false],
  ])('Origin %s with Host %s → %s', (o, h, ok) => expect(isAllowedOrigin(o, h)).toBe(ok));
});

describe('CSP', () => {
  it('forbids inline and eval scripts, plugins and base rewriting', () => {
    const csp = parseCsp(RENDERER_CSP);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(RENDERER_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(parseCsp(RENDERER_CSP_HEADER).get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('injects exactly one meta tag and replaces an old one', () => {
    const html =
      '<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src *"><title>x</title></head></html>';
    const out = injectCspMeta(html);
    expect(out.match(/Content-Security-Policy/g)).toHaveLength(1);
    expect(out).toContain(`content="${RENDERER_CSP}"`);
    expect(() => injectCspMeta('<html></html>')).toThrow(/no <head>/);
  });
});
