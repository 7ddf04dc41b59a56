import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { injectCspMeta } from './src-main/security/csp';

const root = import.meta.dirname;

/** The CSP is defined once (src-main/security/csp.ts) and written into the built index.html. */
const cspMeta = (): Plugin => ({
  name: 'liveslice-csp',
  apply: 'build',
  transformIndexHtml: { order: 'post', handler: (html) => injectCspMeta(html) },
});

export default defineConfig({
  // Engine + Electron shell + CLI. Runtime dependencies stay external (node_modules).
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          shell: resolve(root, 'src-main/shell/main.ts'),
          cli: resolve(root, 'src-main/cli/main.ts'),
          bench: resolve(root, 'src-main/bench/main.ts'),
          'kws-worker': resolve(root, 'src-main/asr/kws-worker.ts'),
          'eval-detect': resolve(root, 'src-main/detect/eval/main.ts'),
          'asr-worker': resolve(root, 'src-main/asr/asr-worker.ts'),
          'image-worker': resolve(root, 'src-main/safety/image/image-worker.ts'),
          'generate-worker': resolve(root, 'src-main/generate/worker.ts'),
        },
      },
    },
  },
  // The sandboxed preload may only require('electron'): bundle everything else into one file.
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    base: './',
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
      // No inline scripts or eval anywhere: the CSP forbids them.
      modulePreload: { polyfill: false },
      minify: true,
      assetsInlineLimit: 0,
    },
    plugins: [react(), cspMeta()],
  },
});
