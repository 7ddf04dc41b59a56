/** The renderer as built (out/renderer, by `npm run build`) carries the CSP and obeys it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsp, RENDERER_CSP } from './csp';

const OUT = join(__dirname, '..', '..', 'out', 'renderer');
const INDEX = join(OUT, 'index.html');

function builtIndex(): string {
  if (!existsSync(INDEX))
    throw new Error(`${INDEX} is missing: run \`npm run build\` before the tests`);
  return readFileSync(INDEX, 'utf8');
}

describe('the built renderer', () => {
  it('carries exactly one CSP meta tag, equal to the policy defined in csp.ts', () => {
    const html = builtIndex();
    const metas = [
      ...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi),
    ];
    expect(metas).toHaveLength(1);
    const content = metas[0]![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expect(content).toBe(RENDERER_CSP);
    expect(parseCsp(content).get('script-src')).toEqual(["'self'"]);
    // The policy must come before any script so it governs all of them.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
  });

  it('has no inline scripts, inline handlers or remote resources', () => {
    const html = builtIndex();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\.\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('ships no direct eval in its scripts (runtime CSP violations are checked end to end)', () => {
    const assets = join(OUT, 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    for (const f of js) {
      const code = readFileSync(join(assets, f), 'utf8');
      expect(code, f).not.toMatch(/\beval\(/);
    }
  });
});
