/**
 * The renderer's Content Security Policy, defined once: the build injects it into index.html as a
 * meta tag (electron.vite.config.ts), and the headless host sends it as a header as well.
 */
export const RENDERER_CSP_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data: blob: liveslice-media:"],
  ['media-src', "'self' blob: liveslice-media:"],
  ['connect-src', "'self' liveslice-media:"],
  ['worker-src', "'self' blob:"],
  ['font-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

/** For the meta tag (frame-ancestors is ignored there, so it is header-only). */
export const RENDERER_CSP = RENDERER_CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');

/** For the HTTP header of the headless host. */
export const RENDERER_CSP_HEADER = `${RENDERER_CSP}; frame-ancestors 'none'`;

export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

/** Puts the CSP meta tag into an HTML document's head, replacing any existing one. */
export function injectCspMeta(html: string, policy = RENDERER_CSP): string {
  const escaped = policy.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const meta = `<meta http-equiv="Content-Security-Policy" content="${escaped}" />`;
  const withoutOld = html.replace(
    /<meta[^>]+http-equiv=["']Content-Security-Policy["'][^>]*>\s*/gi,
    '',
  );
  if (!/<head[^>]*>/i.test(withoutOld)) throw new Error('index.html has no <head>');
  return withoutOld.replace(/<head([^>]*)>/i, `<head$1>\n    ${meta}`);
}
