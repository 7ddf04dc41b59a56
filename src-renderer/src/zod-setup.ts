/**
 * Imported first by main.tsx, before any module that builds zod schemas: zod decides at schema
 * construction whether to compile parsers with `new Function`, which the CSP forbids (and each
 * probe would be reported as a CSP violation). Interpreted parsing is plenty fast for the UI.
 */
import { config } from 'zod';

config({ jitless: true });
