/**
 * The credential vault: secrets (S3 secret keys, webhook signing secrets) stored encrypted in the
 * database table `credentials`, never as plain text there or in logs.
 *
 * Backends:
 * - `safeStorage` — the desktop app: Electron's safeStorage, i.e. the OS keychain (macOS
 *   Keychain, Windows DPAPI, libsecret/kwallet on Linux). The Electron shell passes it in; this
 *   module never imports electron. Not used when Linux has no keyring (Electron then falls back
 *   to a hard-coded key, "basic_text", which protects nothing).
 * - `keyfile` — headless (CLI, server) or no keychain: AES-256-GCM with a 32-byte key from the
 *   environment variable LIVESLICE_SECRET_KEY (base64), or else `<dataDir>/secret.key`, created
 *   with mode 0600 on first use. Trade-off, documented for operators: this protects the database
 *   file and its backups (a copied liveslice.db alone reveals nothing), not against someone who
 *   can read the user's files — they can read the key too. Keep LIVESLICE_SECRET_KEY in a secret
 *   manager and out of the data directory for stronger separation.
 *
 * Each blob records its backend; a blob written by one backend can be read later only where that
 * backend is available (a keychain blob cannot be read by a headless process) — the error then
 * names the credential and the backend, never the value.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/db';

export type VaultBackend = 'safeStorage' | 'keyfile';

/** The part of Electron's safeStorage the vault uses (injected by the shell). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron: 'basic_text' means no real keychain. */
  getSelectedStorageBackend?(): string;
}

export interface VaultOptions {
  db: Db;
  /** Where `secret.key` lives when LIVESLICE_SECRET_KEY is not set. */
  dataDir: string;
  /** Electron's safeStorage in the desktop app; absent or null headless. */
  safeStorage?: SafeStorageLike | null | undefined;
  /** Default process.env (LIVESLICE_SECRET_KEY). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Secrets read or written are registered here so that no log line can carry them. */
  logger?:
    | { addSecret(secret: string): void; warn(msg: string, fields?: Record<string, unknown>): void }
    | undefined;
}

export class VaultError extends Error {
  /** The credential concerned, or null for a key problem. */
  readonly credential: string | null;
  constructor(message: string, credential: string | null = null) {
    super(message);
    this.name = 'VaultError';
    this.credential = credential;
  }
}

export const KEY_ENV = 'LIVESLICE_SECRET_KEY';
export const KEY_FILE = 'secret.key';
const MAX_SECRET_CHARS = 64 * 1024;
/** keyfile blob: version, key id (8), iv (12), tag (16), ciphertext. */
const BLOB_VERSION = 1;
const HEADER = 1 + 8 + 12 + 16;

interface Row {
  backend: VaultBackend;
  blob: Buffer;
}

export class CredentialVault {
  /** The backend new secrets are encrypted with. */
  readonly backend: VaultBackend;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private key: { bytes: Buffer; id: Buffer; source: string } | null = null;
  private readonly q;

  constructor(private readonly opts: VaultOptions) {
    this.env = opts.env ?? process.env;
    this.backend = safeStorageUsable(opts.safeStorage) ? 'safeStorage' : 'keyfile';
    const db = opts.db;
    this.q = {
      get: db.prepare<[string], Row>('SELECT backend, blob FROM credentials WHERE name = ?'),
      put: db.prepare<[{ name: string; backend: VaultBackend; blob: Buffer; now: number }]>(
        `INSERT INTO credentials (name, backend, blob, updated_at) VALUES (@name, @backend, @blob, @now)
         ON CONFLICT (name) DO UPDATE SET backend = @backend, blob = @blob, updated_at = @now`,
      ),
      del: db.prepare<[string]>('DELETE FROM credentials WHERE name = ?'),
      names: db.prepare<[], { name: string }>('SELECT name FROM credentials ORDER BY name'),
    };
  }

  set(name: string, secret: string): void {
    checkName(name);
    if (typeof secret !== 'string' || secret === '')
      throw new VaultError(
        `credential "${name}": an empty secret cannot be stored (delete it instead)`,
        name,
      );
    if (secret.length > MAX_SECRET_CHARS)
      throw new VaultError(
        `credential "${name}": a secret longer than ${MAX_SECRET_CHARS} characters`,
        name,
      );
    this.opts.logger?.addSecret(secret);
    const blob =
      this.backend === 'safeStorage'
        ? this.encryptSafe(name, secret)
        : this.encryptKeyfile(name, secret);
    this.q.put.run({ name, backend: this.backend, blob, now: Date.now() });
  }

  /** The secret, or null when none is stored; throws VaultError when it cannot be decrypted. */
  get(name: string): string | null {
    checkName(name);
    const row = this.q.get.get(name);
    if (!row) return null;
    const secret =
      row.backend === 'safeStorage'
        ? this.decryptSafe(name, row.blob)
        : this.decryptKeyfile(name, row.blob);
    this.opts.logger?.addSecret(secret);
    return secret;
  }

  has(name: string): boolean {
    checkName(name);
    return this.q.get.get(name) !== undefined;
  }

  delete(name: string): boolean {
    checkName(name);
    return this.q.del.run(name).changes > 0;
  }

  /** Stored credential names (never values). */
  names(): string[] {
    return this.q.names.all().map((r) => r.name);
  }

  // ---------------------------------------------------------------------------------------------

  private encryptSafe(name: string, secret: string): Buffer {
    try {
      return this.opts.safeStorage!.encryptString(secret);
    } catch (err) {
      throw new VaultError(
        `credential "${name}": the OS keychain refused to encrypt it (${(err as Error).message})`,
        name,
      );
    }
  }

  private decryptSafe(name: string, blob: Buffer): string {
    const ss = this.opts.safeStorage;
    if (!ss || !ss.isEncryptionAvailable())
      throw new VaultError(
        `credential "${name}" was encrypted with the OS keychain (Electron safeStorage), which this ` +
          'process cannot use (headless, or the keychain is locked): enter the secret again here, ' +
          'or give it as LIVESLICE_SECRET_<TARGET ID>',
        name,
      );
    try {
      return ss.decryptString(blob);
    } catch (err) {
      throw new VaultError(
        `credential "${name}" cannot be decrypted by the OS keychain (${(err as Error).message}): ` +
          'it was probably saved by another user or machine; enter the secret again',
        name,
      );
    }
  }

  private encryptKeyfile(name: string, secret: string): Buffer {
    const key = this.loadKey(true);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
    cipher.setAAD(aad(name));
    const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([BLOB_VERSION]), key.id, iv, cipher.getAuthTag(), ct]);
  }

  private decryptKeyfile(name: string, blob: Buffer): string {
    if (blob.length < HEADER || blob[0] !== BLOB_VERSION)
      throw new VaultError(
        `credential "${name}" is not a keyfile blob this version understands`,
        name,
      );
    const key = this.loadKey(false);
    const keyId = blob.subarray(1, 9);
    if (!keyId.equals(key.id))
      throw new VaultError(
        `credential "${name}" was encrypted with another key than ${key.source} ` +
          `(key id ${keyId.toString('hex')}, this one ${key.id.toString('hex')}): restore that key, or enter the secret again`,
        name,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, blob.subarray(9, 21));
      decipher.setAAD(aad(name));
      decipher.setAuthTag(blob.subarray(21, HEADER));
      return Buffer.concat([decipher.update(blob.subarray(HEADER)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new VaultError(
        `credential "${name}" cannot be decrypted with ${key.source}: the stored blob is damaged or ` +
          'belongs to another credential; enter the secret again',
        name,
      );
    }
  }

  /** The keyfile key: LIVESLICE_SECRET_KEY, else <dataDir>/secret.key (created when `create`). */
  private loadKey(create: boolean): { bytes: Buffer; id: Buffer; source: string } {
    if (this.key) return this.key;
    const fromEnv = this.env[KEY_ENV];
    let bytes: Buffer;
    let source: string;
    if (fromEnv !== undefined && fromEnv !== '') {
      source = `the key in ${KEY_ENV}`;
      bytes = decodeKey(fromEnv, KEY_ENV);
    } else {
      const file = join(this.opts.dataDir, KEY_FILE);
      source = `the key file ${file}`;
      bytes = this.readOrCreateKeyFile(file, create);
    }
    this.key = { bytes, id: createHash('sha256').update(bytes).digest().subarray(0, 8), source };
    return this.key;
  }

  private readOrCreateKeyFile(file: string, create: boolean): Buffer {
    try {
      const text = readFileSync(file, 'utf8');
      if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0)
        this.opts.logger?.warn('the secret key file can be read by other users: chmod 600 it', {
          file,
        });
      return decodeKey(text, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        if (err instanceof VaultError) throw err;
        throw new VaultError(`cannot read the secret key file ${file}: ${(err as Error).message}`);
      }
    }
    if (!create)
      throw new VaultError(
        `the secret key file ${file} is missing, so stored credentials cannot be decrypted: ` +
          `restore it (or set ${KEY_ENV}), or enter the secrets again`,
      );
    const bytes = randomBytes(32);
    try {
      // 'wx': never overwrite a key another process created meanwhile (that would orphan its blobs).
      writeFileSync(file, `${bytes.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
      return bytes;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        return decodeKey(readFileSync(file, 'utf8'), file);
      throw new VaultError(`cannot create the secret key file ${file}: ${(err as Error).message}`);
    }
  }
}

function safeStorageUsable(ss: SafeStorageLike | null | undefined): boolean {
  if (!ss) return false;
  try {
    if (!ss.isEncryptionAvailable()) return false;
    return ss.getSelectedStorageBackend?.() !== 'basic_text';
  } catch {
    return false;
  }
}

function decodeKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)
    ? Buffer.from(trimmed, 'base64')
    : Buffer.alloc(0);
  if (bytes.length !== 32)
    throw new VaultError(
      `${where} must hold a 32-byte key in base64 (make one with: openssl rand -base64 32)`,
    );
  return bytes;
}

/** Binds a blob to its credential name: a blob copied to another name does not decrypt. */
const aad = (name: string) => Buffer.from(`liveslice-credential:${name}`, 'utf8');

function checkName(name: string): void {
  if (typeof name !== 'string' || name === '' || name.length > 200)
    throw new VaultError('a credential name must be 1–200 characters');
}
