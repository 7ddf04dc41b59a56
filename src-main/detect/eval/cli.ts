/**
 * The `npm run eval:detect` command line (entry: ./main.ts):
 * `npm run eval:detect -- <dir> [--preset e-commerce] [--lexicon file.json] [--json out.json]`:
 * replays every labeled case in <dir> through the highlight detector and prints one JSON object
 * (precision, recall, mean boundary error, detection delay, per-case details) on stdout.
 * Exit 0 after a successful run whatever the figures (the tests assert the bar), 2 on bad
 * arguments, 3 when a case cannot be read (the message names the file and line).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveFfmpeg } from '../../ffmpeg/resolve';
import {
  DEFAULT_LEXICON,
  type Lexicon,
  LexiconError,
  parseLexicon,
  PRESET_NAMES,
  type PresetName,
  presetSettings,
} from '../index';
import { CaseError, evaluateDir, listCases } from './harness';

const USAGE =
  'usage: npm run eval:detect -- <dir> [--preset e-commerce|gaming|talk-show] [--lexicon file.json] [--json out.json]';

class UsageError extends Error {}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Runs the command; resolves to the exit code. */
export async function runEvalCli(argv: string[], io: CliIo = processIo): Promise<number> {
  let dir: string;
  let preset: PresetName;
  let lexicon: Lexicon;
  let jsonOut: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        preset: { type: 'string', default: 'e-commerce' },
        lexicon: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('give exactly one case directory');
    dir = positionals[0]!;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UsageError(`${dir} is not a directory`);
    }
    const name = PRESET_NAMES.find((p) => p === values.preset);
    if (name === undefined) {
      throw new UsageError(
        `unknown preset ${JSON.stringify(values.preset)} (one of ${PRESET_NAMES.join(', ')})`,
      );
    }
    preset = name;
    lexicon = values.lexicon === undefined ? DEFAULT_LEXICON : readLexicon(values.lexicon);
    jsonOut = values.json;
    if (listCases(dir).length === 0) throw new UsageError(`no cases (<name>.vtt) in ${dir}`);
  } catch (err) {
    if (err instanceof CaseError) return fail(io, 3, err.message);
    const msg = err instanceof Error ? err.message : String(err);
    return fail(io, 2, `${msg} — ${USAGE}`);
  }
  const ff = resolveFfmpeg({});
  try {
    const report = await evaluateDir(dir, {
      preset,
      settings: presetSettings(preset),
      lexicon,
      ffmpeg: ff.found ? ff.path : null,
    });
    const text = `${JSON.stringify(report, null, 2)}\n`;
    if (jsonOut !== undefined) writeFileSync(jsonOut, text);
    io.stdout(text);
    return 0;
  } catch (err) {
    if (err instanceof CaseError) return fail(io, 3, err.message);
    throw err;
  }
}

function readLexicon(file: string): Lexicon {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the lexicon ${file}: ${(err as Error).message}`);
  }
  try {
    return parseLexicon(JSON.parse(text) as unknown);
  } catch (err) {
    if (err instanceof LexiconError || err instanceof SyntaxError) {
      throw new UsageError(`lexicon ${file}: ${err.message}`);
    }
    throw err;
  }
}

function fail(io: CliIo, code: number, line: string): number {
  io.stderr(`eval:detect: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
  return code;
}
