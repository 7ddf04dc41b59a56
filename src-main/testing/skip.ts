/**
 * Tests: `describe.skipIf(missing(...))` — says exactly what is missing when a test is skipped,
 * and returns whether to skip. `reason` is null when nothing is missing.
 */
export function missing(reason: string | null | false): boolean {
  if (!reason) return false;
  console.warn(`skipping: ${reason}`);
  return true;
}
