#!/usr/bin/env node
// `npm test`: typecheck, lint, build, unit + integration tests (vitest), e2e (Playwright).
// Runs every step even after a failure, then prints one summary line that counts the tests:
//   tests: N passed, N failed, N skipped
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const VITEST_JSON = '.vitest-results.json';
const E2E_JSON = '.e2e-results.json';
const only = process.argv.slice(2); // e.g. `npm test -- unit e2e`

const steps = [
  { name: 'typecheck', cmd: ['npm', 'run', '-s', 'typecheck'] },
  { name: 'lint', cmd: ['npm', 'run', '-s', 'lint'] },
  { name: 'build', cmd: ['npm', 'run', '-s', 'build'] },
  {
    name: 'unit',
    cmd: [
      'npx',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${VITEST_JSON}`,
    ],
  },
  { name: 'e2e', cmd: ['npx', 'playwright', 'test'] },
].filter((s) => only.length === 0 || only.includes(s.name));

for (const f of [VITEST_JSON, E2E_JSON]) rmSync(f, { force: true });

const failedSteps = [];
for (const step of steps) {
  process.stdout.write(`\n▶ ${step.name}: ${step.cmd.join(' ')}\n`);
  const t0 = Date.now();
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  process.stdout.write(
    `${ok ? '✔' : '✘'} ${step.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
  if (!ok) failedSteps.push(step.name);
}

const counts = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(VITEST_JSON)) {
  const v = JSON.parse(readFileSync(VITEST_JSON, 'utf8'));
  counts.passed += v.numPassedTests ?? 0;
  counts.failed += v.numFailedTests ?? 0;
  counts.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  // Each skipped test's reason is printed by the test file itself (a "skipping …" line above).
  for (const file of v.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
        process.stdout.write(
          `skipped: ${file.name.replace(process.cwd() + '/', '')} > ${t.fullName}\n`,
        );
      }
    }
  }
}
if (existsSync(E2E_JSON)) {
  const e = JSON.parse(readFileSync(E2E_JSON, 'utf8'));
  counts.passed += (e.stats?.expected ?? 0) + (e.stats?.flaky ?? 0);
  counts.failed += e.stats?.unexpected ?? 0;
  counts.skipped += e.stats?.skipped ?? 0;
  for (const s of collectSkips(e.suites ?? [])) process.stdout.write(`skipped: ${s}\n`);
}

if (failedSteps.length) process.stdout.write(`\nfailed steps: ${failedSteps.join(', ')}\n`);
process.stdout.write(
  `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
);
process.exit(failedSteps.length || counts.failed || counts.passed === 0 ? 1 : 0);

function collectSkips(suites, out = []) {
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status === 'skipped') {
          const why = t.annotations?.find((a) => a.type === 'skip')?.description ?? '';
          out.push(`${spec.title}${why ? ` — ${why}` : ''}`);
        }
      }
    }
    collectSkips(suite.suites ?? [], out);
  }
  return out;
}
