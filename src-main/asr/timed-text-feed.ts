/**
 * Feeds timed-text cues into a session as final utterances on its media clock: a cue becomes
 * final once the ingest has recorded media up to the cue's end (as a recognizer's final would),
 * and whatever is left is released when the session ends, so every cue becomes one line.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { EventBus } from '../api/events';
import type { Store } from '../store';
import { normalizeForMatch } from './normalize';
import { type Cue, parseTimedText } from './timed-text';

export const MAX_TIMED_TEXT_BYTES = 20 * 1024 * 1024;

/** Reads and parses a .vtt/.srt file; throws TimedTextError (naming the line) or a plain Error. */
export function loadTimedText(path: string): Cue[] {
  const size = statSync(path).size;
  if (size > MAX_TIMED_TEXT_BYTES)
    throw new Error(`${path} is larger than 20 MB: not a subtitles file?`);
  const buf = readFileSync(path);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  return parseTimedText(basename(path), text);
}

export class TimedTextFeed {
  private next = 0;

  constructor(
    private readonly sessionId: string,
    private readonly cues: readonly Cue[],
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {}

  /** The media clock reached `mediaTime` (Infinity: the session ended). */
  advance(mediaTime: number): void {
    while (this.next < this.cues.length && this.cues[this.next]!.end <= mediaTime) {
      const cue = this.cues[this.next++]!;
      const u = this.store.transcript.add(
        {
          sessionId: this.sessionId,
          start: cue.start,
          end: cue.end,
          text: cue.text,
          source: 'timed-text',
        },
        normalizeForMatch(cue.text),
      );
      this.bus.emit('transcript.utterance', u);
    }
  }

  /** Media time before which every cue has been released (captions up to here are final). */
  horizon(mediaTime: number): number {
    const next = this.cues[this.next];
    return next ? Math.min(mediaTime, next.start) : mediaTime;
  }

  get remaining(): number {
    return this.cues.length - this.next;
  }
}
