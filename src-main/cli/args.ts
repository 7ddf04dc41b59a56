/** Parses the `liveslice` command line. Pure: no I/O, so every case is a table test. */
import { parseArgs } from 'node:util';
import { parseTargetSpec } from '../publish/targets';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type Command =
  | { kind: 'help'; topic: string | null }
  | { kind: 'version' }
  | {
      kind: 'serve';
      port: number;
      host: string;
      allowRemote: boolean;
      dataDir: string | null;
      logLevel: LogLevel;
    }
  | {
      kind: 'process';
      input: string;
      out: string;
      realtime: boolean;
      durationS: number | null;
      /** A WebVTT/SRT file whose cues are the transcript. */
      transcript: string | null;
      /** A model id the user asks for (verified; exit 4 when missing or invalid). */
      asr: string | null;
      /** Manual marks: JSON [{at, note?}] or one time a line (seconds or h:mm:ss). */
      marks: string | null;
      /** Chat: a JSONL file of {at, text} or a ws:// / wss:// URL. */
      chat: string | null;
      /** A trigger lexicon (JSON) instead of the one in the data directory. */
      lexicon: string | null;
      preset: 'e-commerce' | 'gaming' | 'talk-show' | null;
      /** A pipeline config (JSON: {"detect": {...}, "lexicon": {...}, "publish": {...}}). */
      config: string | null;
      /** Publish targets: folder:<dir>, webhook:<url>, s3:<id> / target:<id> (saved or in --config). */
      publish: string[];
      dataDir: string | null;
      logLevel: LogLevel;
    }
  /** Parsed by the models command itself (src-main/cli/models.ts). */
  | { kind: 'models'; argv: string[] }
  /** Parsed by the generate command itself (src-main/cli/generate.ts). */
  | { kind: 'generate'; argv: string[] }
  | { kind: 'error'; message: string };

export const COMMANDS = ['serve', 'process', 'models', 'generate'] as const;

export const USAGE = `liveslice — live-stream highlights, transcribed, detected and clipped on your own machine

Usage:
  liveslice serve [--port N] [--data-dir DIR] [--host ADDR --allow-remote] [--log-level LEVEL]
  liveslice process <file|URL> --out DIR [--realtime] [--duration S] [--transcript F.vtt|F.srt] [--asr MODEL]
                    [--preset e-commerce|gaming|talk-show] [--lexicon F.json] [--config F.json]
                    [--marks F] [--chat F.jsonl|ws://…] [--publish folder:DIR|webhook:URL|s3:ID]…
  liveslice models list | verify [ID] | pull ID [--mirror cn|global] | import [ID] DIR
  liveslice generate --model M --prompt "…" --out F.mp4 [--frames N] [--size WxH] [--steps N]
                     [--seed N] [--provider auto|cuda|tensorrt|dml|coreml|cpu] [--negative "…"]
  liveslice --help | --version

Commands:
  serve     Run the engine with the operator UI for a browser. Listens on 127.0.0.1 and prints
            the URL to open, access token included. Ctrl+C stops it.
  process   Run the pipeline headless on a local file or a pull URL (HLS m3u8, HTTP-FLV, RTMP,
            SRT) and write transcript.jsonl, highlights.jsonl, clips/ and report.json to --out.
            A file is read as fast as it decodes unless --realtime paces it as live; a live URL
            runs until the stream ends, --duration S elapses or Ctrl+C. --transcript feeds a
            WebVTT/SRT file's cues as the transcript (for replays that have subtitles).
            Highlights: --preset picks the detection preset, --lexicon a trigger lexicon (JSON,
            as exported by the app), --config a JSON file {"detect": {…settings}, "lexicon": {…}};
            --marks adds manual marks (JSON [{"at": s}] or one time a line, 83.5 or 1:23.5);
            --chat reads chat from a JSONL file ({"at": s, "text": "…"} a line) or a WebSocket.
            Publishing: every clip that passes the safety checks (sensitive words, image check) is
            published to each --publish target (repeatable): folder:DIR (the MP4, its cover and
            a sidecar JSON), webhook:URL (POST of the metadata and object URLs), s3:ID or
            target:ID (a target saved in the app, or in --config's "publish": {"targets": […]});
            secrets come from LIVESLICE_SECRET_<ID> or the app's encrypted store. Clips held back
            are listed with the reason in report.json's held_back.

  generate  Text-to-video with an ONNX export of a Wan2.x-style model (a manifest.json directory,
            or models/tiny-t2v for the built-in test model): N frames (4k+1) at WxH, labelled
            "AI生成 / AI-generated" with AIGC metadata. Slow: minutes on a GPU, far more on a CPU.

  models    Manage on-device models (speech recognition, keyword spotting): list them, verify
            installed files (size, sha256, no Git-LFS pointers), download one (explicit, resumable,
            verified), or import a directory you already have. See liveslice models --help.

Options:
  --port N          TCP port for serve (default 4817; 0 picks a free one)
  --data-dir DIR    Where sessions, settings, logs and models live (default: the same per-user
                    directory the desktop app uses; env LIVESLICE_DATA_DIR also sets it)
  --host ADDR       Address to listen on (default 127.0.0.1). Anything but loopback also needs
                    --allow-remote: whoever reaches it with the token controls the engine.
  --log-level L     debug | info | warn | error (default info)
  -h, --help        This help
  -v, --version     Print the version

Exit status: 0 done, 1 failed while running, 2 bad arguments, 3 the input cannot be opened,
reached or parsed (an unreachable URL fails within 10 s), 4 a model is missing or corrupt.`;

export const DEFAULT_PORT = 4817;

export const PRESET_NAMES = ['e-commerce', 'gaming', 'talk-show'] as const;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function parseCli(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    return { kind: 'help', topic: first === 'help' ? (rest[0] ?? null) : null };
  }
  if (first === '-v' || first === '--version') {
    return rest.length
      ? bad(`--version takes no arguments, got '${rest[0]}'`)
      : { kind: 'version' };
  }
  if (first.startsWith('-')) return bad(`unknown option '${first}' (a command comes first)`);
  if (first === 'process') return parseProcess(rest);
  if (first === 'models') return { kind: 'models', argv: [...rest] };
  if (first === 'generate') return { kind: 'generate', argv: [...rest] };
  if (first !== 'serve')
    return bad(`unknown command '${first}' (commands: ${COMMANDS.join(', ')})`);

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return bad(`serve: ${cleanParseError(err)}`);
  }
  if (values['help']) return { kind: 'help', topic: 'serve' };

  const portText = values['port'];
  let port = DEFAULT_PORT;
  if (typeof portText === 'string') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
      return bad(`--port must be a whole number from 0 to 65535, got '${portText}'`);
    }
    port = Number(portText);
  }
  const host = typeof values['host'] === 'string' ? values['host'].trim() : '127.0.0.1';
  if (host === '') return bad('--host cannot be empty');
  const common = commonOptions(values, 'info');
  if (typeof common === 'string') return bad(common);
  return { kind: 'serve', port, host, allowRemote: values['allow-remote'] === true, ...common };
}

function parseProcess(rest: readonly string[]): Command {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        realtime: { type: 'boolean' },
        duration: { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        transcript: { type: 'string' },
        asr: { type: 'string' },
        publish: { type: 'string', multiple: true },
        config: { type: 'string' },
        marks: { type: 'string' },
        chat: { type: 'string' },
        lexicon: { type: 'string' },
        preset: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return bad(`process: ${cleanParseError(err)}`);
  }
  if (values['help']) return { kind: 'help', topic: 'process' };
  if (positionals.length === 0) return bad('process needs an input: a media file or a stream URL');
  if (positionals.length > 1) return bad(`process takes one input, got ${positionals.length}`);
  const out = values['out'];
  if (typeof out !== 'string' || out.trim() === '' || out.includes('\0'))
    return bad('process needs --out DIR');
  let durationS: number | null = null;
  const dur = values['duration'];
  if (typeof dur === 'string') {
    if (!/^\d+(\.\d+)?$/.test(dur) || !(Number(dur) > 0)) {
      return bad(`--duration must be a positive number of seconds, got '${dur}'`);
    }
    durationS = Number(dur);
  }
  const preset = values['preset'];
  if (preset !== undefined && !(PRESET_NAMES as readonly unknown[]).includes(preset))
    return bad(`--preset must be one of ${PRESET_NAMES.join(', ')}, got '${String(preset)}'`);
  for (const flag of ['marks', 'chat', 'lexicon', 'config', 'transcript'] as const) {
    const v = values[flag];
    if (typeof v === 'string' && (v.trim() === '' || v.includes('\0')))
      return bad(`--${flag} needs a file path${flag === 'chat' ? ' or a ws:// URL' : ''}`);
  }
  const publish = (values['publish'] as string[] | undefined) ?? [];
  for (const spec of publish) {
    try {
      parseTargetSpec(spec);
    } catch (err) {
      return bad(`--publish: ${(err as Error).message}`);
    }
  }
  const common = commonOptions(values, 'warn');
  if (typeof common === 'string') return bad(common);
  const str = (k: string): string | null => (typeof values[k] === 'string' ? values[k] : null);
  return {
    kind: 'process',
    input: positionals[0]!,
    out,
    realtime: values['realtime'] === true,
    durationS,
    transcript: typeof values['transcript'] === 'string' ? values['transcript'] : null,
    asr: typeof values['asr'] === 'string' ? values['asr'] : null,
    marks: str('marks'),
    chat: str('chat'),
    lexicon: str('lexicon'),
    preset: (preset as 'e-commerce' | 'gaming' | 'talk-show' | undefined) ?? null,
    config: str('config'),
    publish,
    ...common,
  };
}

/** --data-dir and --log-level, shared by every command; a string is the error. */
function commonOptions(
  values: Record<string, unknown>,
  defaultLevel: LogLevel,
): { dataDir: string | null; logLevel: LogLevel } | string {
  const dd = values['data-dir'];
  const dataDir = typeof dd === 'string' ? dd : null;
  if (dataDir !== null && (dataDir.trim() === '' || dataDir.includes('\0'))) {
    return '--data-dir must be a directory path';
  }
  const level = values['log-level'] ?? defaultLevel;
  if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
    return `--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${String(level)}'`;
  }
  return { dataDir, logLevel: level as LogLevel };
}

export type ProcessCommand = Extract<Command, { kind: 'process' }>;

function bad(message: string): Command {
  return { kind: 'error', message };
}

function cleanParseError(err: unknown): string {
  // Node's messages run over several lines and suggest '--' separators: keep the first line.
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? msg).replace(/\.$/, '');
}
