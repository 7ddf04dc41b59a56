/**
 * Settings: a key/value table holding JSON. Operator settings are validated against the contract
 * on read (a bad stored value falls back to its default instead of breaking the app); internal
 * keys (window state) are stored through `getInternal`/`setInternal` with their own schema.
 */
import type { z } from 'zod';
import { SETTING_DEFAULTS, type SettingChange, Settings } from '../api/contract';
import type { Db } from './db';

export interface SettingsRepo {
  getAll(): Settings;
  set(change: SettingChange, now?: number): Settings;
  getInternal<T>(key: string, schema: z.ZodType<T>): T | null;
  setInternal(key: string, value: unknown, now?: number): void;
}

export function settingsRepo(db: Db): SettingsRepo {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const put = db.prepare<[string, string, number]>(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const read = (key: string): unknown => {
    const row = get.get(key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  };
  return {
    getAll() {
      const out: Record<string, unknown> = {};
      for (const [key, fallback] of Object.entries(SETTING_DEFAULTS)) {
        const schema = Settings.shape[key as keyof Settings];
        const parsed = schema.safeParse(read(key));
        out[key] = parsed.success ? parsed.data : fallback;
      }
      return Settings.parse(out);
    },
    set(change, now = Date.now()) {
      put.run(change.key, JSON.stringify(change.value), now);
      return this.getAll();
    },
    getInternal(key, schema) {
      const parsed = schema.safeParse(read(key));
      return parsed.success ? parsed.data : null;
    },
    setInternal(key, value, now = Date.now()) {
      put.run(key, JSON.stringify(value), now);
    },
  };
}
