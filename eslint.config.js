// @ts-check
// Each process has its own environment; the import rules below make the boundaries real:
// the renderer and preload never import engine code (only the environment-neutral contract),
// and only src-main/shell/** may import electron.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const reactHooks = require('eslint-plugin-react-hooks');

const nodeBuiltins = require('node:module').builtinModules.flatMap((m) => [m, `node:${m}`]);

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'eval is forbidden' },
      ],
    },
  },
  {
    files: [
      '**/*.{js,cjs,mjs}',
      'electron.vite.config.ts',
      'vitest.config.mts',
      'playwright.config.ts',
    ],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-main/**/*.ts', 'e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The engine is plain Node: only the thin Electron shell touches electron.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/shell/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only src-main/shell/** may import electron.' }] },
      ],
    },
  },
  {
    files: ['src-main/api/contract.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron', ...nodeBuiltins], patterns: ['./*', '../*', '!./contract'] },
      ],
    },
  },
  {
    files: ['src-preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins,
          patterns: [
            {
              group: [
                '../src-main/*',
                '!../src-main/api',
                '../src-main/api/*',
                '!../src-main/api/contract',
              ],
              message: 'The preload may import only the API contract from src-main.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', ...nodeBuiltins],
          patterns: [
            {
              group: [
                '**/src-main/*',
                '!**/src-main/api',
                '**/src-main/api/*',
                '!**/src-main/api/contract',
              ],
              message: 'The renderer may import only the API contract from src-main.',
            },
          ],
        },
      ],
    },
  },
);
