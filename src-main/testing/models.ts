/**
 * Tests and benches: a copy of a recognizer model on this machine, in $LIVESLICE_TEST_MODELS or
 * the shared models folder (as its upstream directory, or directly), found by its manifest files.
 */
import { existsSync } from 'node:fs';
import { findModel } from '../models';
import { detectModelsInDir } from '../models/store';
import { sharedModelsDir } from './shared';

export function testModelDirs(): string[] {
  return [process.env['LIVESLICE_TEST_MODELS'], sharedModelsDir()].filter(
    (d): d is string => typeof d === 'string' && d !== '' && existsSync(d),
  );
}

/** A folder that `importModel(dataDir, id, folder)` installs the model from, or null. */
export async function findTestModel(id: string): Promise<string | null> {
  for (const base of testModelDirs()) if ((await detectModelsInDir(base)).includes(id)) return base;
  return null;
}

/** What a skipped test says: which model is absent and where to put it. */
export function testModelAbsent(id: string): string {
  const dir = findModel(id)?.upstream ?? id;
  return (
    `the ${id} model is not installed: put its files in $LIVESLICE_TEST_MODELS/${dir}/ ` +
    `(or ${sharedModelsDir()}/${dir}/), e.g. from \`liveslice models pull ${id}\``
  );
}
