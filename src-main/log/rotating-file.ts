/**
 * A size-rotated append-only log file: `liveslice.log` → `liveslice.1.log` → … →
 * `liveslice.{maxFiles-1}.log`, the oldest dropped. Writes are synchronous so that the last lines
 * before a crash are on disk and rotation needs no coordination. One writer per file: two
 * processes logging to the same directory would rotate over each other.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface RotatingFileOptions {
  dir: string;
  fileName: string;
  maxBytes: number;
  maxFiles: number;
  /** Called on every failure; the caller decides what to report. */
  onError: (err: unknown, file: string) => void;
}

/** `liveslice.log`, 2 → `liveslice.2.log`; `app` (no extension), 2 → `app.2`. */
export function rotatedName(fileName: string, index: number): string {
  if (index === 0) return fileName;
  const ext = path.extname(fileName);
  const stem = ext.length > 0 ? fileName.slice(0, -ext.length) : fileName;
  return `${stem}.${index}${ext}`;
}

export class RotatingFile {
  readonly file: string;
  private fd: number | null = null;
  private size = 0;
  private closed = false;

  constructor(private readonly opts: RotatingFileOptions) {
    this.file = path.join(opts.dir, opts.fileName);
    try {
      fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      opts.onError(err, this.file);
    }
  }

  write(line: string): void {
    if (this.closed) return;
    try {
      const bytes = Buffer.from(line, 'utf8');
      if (this.fd === null) this.open();
      if (this.size > 0 && this.size + bytes.length > this.opts.maxBytes) this.rotate();
      const fd = this.fd;
      if (fd === null) return;
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
      this.size += bytes.length;
    } catch (err) {
      this.closeFd();
      this.opts.onError(err, this.file);
    }
  }

  close(): void {
    this.closed = true;
    this.closeFd();
  }

  private open(): void {
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.closeFd();
    const { dir, fileName, maxFiles } = this.opts;
    const at = (i: number): string => path.join(dir, rotatedName(fileName, i));
    if (maxFiles <= 1) {
      fs.rmSync(at(0), { force: true });
    } else {
      fs.rmSync(at(maxFiles - 1), { force: true });
      for (let i = maxFiles - 1; i >= 1; i--) {
        try {
          fs.renameSync(at(i - 1), at(i));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    }
    this.open();
  }

  private closeFd(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fs.closeSync(fd);
    } catch {
      // already gone
    }
  }
}
