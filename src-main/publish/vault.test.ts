/**
 * The credential vault: secrets are encrypted at rest (never in the database file's bytes), the
 * headless key comes from LIVESLICE_SECRET_KEY or a 0600 key file, and every way a blob cannot
 * be decrypted says which credential and why, without its value.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger';
import type { Db } from '../store/db';
import { openPublishDb } from './testing/db';
import { CredentialVault, KEY_ENV, type SafeStorageLike, VaultError } from './vault';

let dir: string;
let dataDir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-vault-'));
  dataDir = join(dir, 'data');
  db = openPublishDb(dir);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'wJalrXUtnFEMI/K7MDENG-secret-β-0042';

/** A stand-in for Electron's safeStorage: a real cipher (XOR with a per-"machine" pad) plus a marker. */
function fakeSafeStorage(
  machine: string,
  opts: { available?: boolean; backend?: string } = {},
): SafeStorageLike {
  const pad = Buffer.from(machine.repeat(64));
  const xor = (b: Buffer) => Buffer.from(b.map((x, i) => x ^ pad[i % pad.length]!));
  return {
    isEncryptionAvailable: () => opts.available ?? true,
    encryptString: (s) =>
      Buffer.concat([Buffer.from(`SS:${machine}:`), xor(Buffer.from(s, 'utf8'))]),
    decryptString: (b) => {
      const head = `SS:${machine}:`;
      if (!b.subarray(0, head.length).equals(Buffer.from(head)))
        throw new Error(
          'Error while decrypting the ciphertext provided to safeStorage.decryptString.',
        );
      return xor(b.subarray(head.length)).toString('utf8');
    },
    ...(opts.backend ? { getSelectedStorageBackend: () => opts.backend! } : {}),
  };
}

/** Every byte of the database (main file and WAL) after a checkpoint. */
function databaseBytes(): Buffer {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return Buffer.concat(
    readdirSync(dataDir)
      .filter((f) => f.startsWith('liveslice.db'))
      .map((f) => readFileSync(join(dataDir, f))),
  );
}

describe('keyfile backend (headless)', () => {
  it('stores secrets encrypted: round trip, and the value is nowhere in the database file', () => {
    const vault = new CredentialVault({ db, dataDir, env: {} });
    expect(vault.backend).toBe('keyfile');
    vault.set('target:s3main', SECRET);
    vault.set('target:hook', 'hook-signing-secret');
    expect(vault.get('target:s3main')).toBe(SECRET);
    expect(vault.has('target:hook')).toBe(true);
    expect(vault.get('target:none')).toBeNull();
    expect(vault.names()).toEqual(['target:hook', 'target:s3main']);
    const bytes = databaseBytes();
    expect(bytes.includes(Buffer.from(SECRET, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('hook-signing-secret', 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('target:s3main', 'utf8'))).toBe(true); // the name is there
    expect(vault.delete('target:hook')).toBe(true);
    expect(vault.get('target:hook')).toBeNull();
  });

  it('creates <dataDir>/secret.key with mode 0600 on first use, and a new vault reads it', () => {
    const vault = new CredentialVault({ db, dataDir, env: {} });
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false); // not on construction
    vault.set('a', SECRET);
    const key = join(dataDir, 'secret.key');
    if (process.platform !== 'win32') expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(key, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(new CredentialVault({ db, dataDir, env: {} }).get('a')).toBe(SECRET);
  });

  it('uses LIVESLICE_SECRET_KEY when set (no key file), and a different key gives a clear error', () => {
    const env = { [KEY_ENV]: randomBytes(32).toString('base64') };
    new CredentialVault({ db, dataDir, env }).set('target:s3main', SECRET);
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);
    expect(new CredentialVault({ db, dataDir, env }).get('target:s3main')).toBe(SECRET);

    const other = new CredentialVault({
      db,
      dataDir,
      env: { [KEY_ENV]: randomBytes(32).toString('base64') },
    });
    const err = (() => {
      try {
        other.get('target:s3main');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).credential).toBe('target:s3main');
    expect((err as VaultError).message).toMatch(
      /credential "target:s3main" was encrypted with another key than the key in LIVESLICE_SECRET_KEY/,
    );
    expect((err as VaultError).message).not.toContain(SECRET);
  });

  it('rejects a malformed LIVESLICE_SECRET_KEY with how to make one', () => {
    const vault = new CredentialVault({ db, dataDir, env: { [KEY_ENV]: 'c2hvcnQ=' } });
    expect(() => vault.set('a', 'x')).toThrow(
      /LIVESLICE_SECRET_KEY must hold a 32-byte key in base64 \(make one with: openssl rand -base64 32\)/,
    );
  });

  it('a lost key file is named in the error', () => {
    new CredentialVault({ db, dataDir, env: {} }).set('a', SECRET);
    rmSync(join(dataDir, 'secret.key'));
    expect(() => new CredentialVault({ db, dataDir, env: {} }).get('a')).toThrow(
      /secret key file .*secret\.key is missing/,
    );
  });

  it('a blob copied to another credential name does not decrypt (bound to its name)', () => {
    const vault = new CredentialVault({ db, dataDir, env: {} });
    vault.set('target:a', SECRET);
    db.prepare(
      "INSERT INTO credentials (name, backend, blob, updated_at) SELECT 'target:b', backend, blob, 0 FROM credentials WHERE name = 'target:a'",
    ).run();
    expect(() => vault.get('target:b')).toThrow(/credential "target:b" cannot be decrypted/);
  });

  it('never logs a secret it handled', () => {
    const lines: string[] = [];
    const logger = createLogger({ console: { write: (l) => lines.push(l) }, level: 'debug' });
    const vault = new CredentialVault({ db, dataDir, env: {}, logger });
    vault.set('target:x', SECRET);
    logger.warn(`oops, somebody logged ${SECRET}`, { secret: SECRET, note: `k=${SECRET}` });
    expect(lines.join('')).not.toContain(SECRET);
  });

  it('refuses empty secrets and bad names', () => {
    const vault = new CredentialVault({ db, dataDir, env: {} });
    expect(() => vault.set('a', '')).toThrow(/empty secret/);
    expect(() => vault.set('', 'x')).toThrow(/credential name/);
  });
});

describe('safeStorage backend (desktop)', () => {
  it('is used when available; blobs are the keychain’s, not plain text', () => {
    const vault = new CredentialVault({ db, dataDir, env: {}, safeStorage: fakeSafeStorage('m1') });
    expect(vault.backend).toBe('safeStorage');
    vault.set('target:s3main', SECRET);
    expect(vault.get('target:s3main')).toBe(SECRET);
    const row = db
      .prepare<[], { backend: string; blob: Buffer }>('SELECT backend, blob FROM credentials')
      .get()!;
    expect(row.backend).toBe('safeStorage');
    expect(row.blob.subarray(0, 6).toString()).toBe('SS:m1:');
    expect(databaseBytes().includes(Buffer.from(SECRET))).toBe(false);
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);
  });

  it('falls back to the key file when the keychain is unavailable or only basic_text', () => {
    expect(
      new CredentialVault({
        db,
        dataDir,
        env: {},
        safeStorage: fakeSafeStorage('m', { available: false }),
      }).backend,
    ).toBe('keyfile');
    expect(
      new CredentialVault({
        db,
        dataDir,
        env: {},
        safeStorage: fakeSafeStorage('m', { backend: 'basic_text' }),
      }).backend,
    ).toBe('keyfile');
    expect(
      new CredentialVault({
        db,
        dataDir,
        env: {},
        safeStorage: fakeSafeStorage('m', { backend: 'gnome_libsecret' }),
      }).backend,
    ).toBe('safeStorage');
  });

  it('a keychain secret read headless, or on another machine, is a clear error naming it', () => {
    new CredentialVault({ db, dataDir, env: {}, safeStorage: fakeSafeStorage('m1') }).set(
      'target:s3main',
      SECRET,
    );
    const headless = new CredentialVault({ db, dataDir, env: {} });
    expect(() => headless.get('target:s3main')).toThrow(
      /credential "target:s3main" was encrypted with the OS keychain \(Electron safeStorage\), which this process cannot use/,
    );
    const elsewhere = new CredentialVault({
      db,
      dataDir,
      env: {},
      safeStorage: fakeSafeStorage('m2'),
    });
    expect(() => elsewhere.get('target:s3main')).toThrow(
      /credential "target:s3main" cannot be decrypted by the OS keychain/,
    );
  });

  it('still reads key-file secrets written before the keychain was available', () => {
    new CredentialVault({ db, dataDir, env: {} }).set('old', SECRET);
    const desktop = new CredentialVault({
      db,
      dataDir,
      env: {},
      safeStorage: fakeSafeStorage('m1'),
    });
    expect(desktop.get('old')).toBe(SECRET);
  });
});
