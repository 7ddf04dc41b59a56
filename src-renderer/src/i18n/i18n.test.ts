import { describe, expect, it } from 'vitest';
import { en } from './en';
import {
  DICTIONARIES,
  format,
  LANGUAGE_SETTINGS,
  nextLanguageSetting,
  resolveLanguage,
  systemLanguage,
  translator,
  type LanguageSetting,
} from './language';
import { zhCN } from './zh-CN';

describe('language resolution', () => {
  const table: Array<[LanguageSetting | null, string[], 'zh-CN' | 'en']> = [
    ['zh-CN', ['en-US'], 'zh-CN'],
    ['en', ['zh-CN'], 'en'],
    ['system', ['zh-CN', 'en-US'], 'zh-CN'],
    ['system', ['zh'], 'zh-CN'],
    ['system', ['zh-TW'], 'zh-CN'],
    ['system', ['zh-Hans-CN'], 'zh-CN'],
    ['system', ['ZH_cn'], 'zh-CN'],
    ['system', ['en-US', 'zh-CN'], 'en'],
    ['system', ['fr-FR'], 'en'],
    ['system', ['zu'], 'en'],
    ['system', [], 'en'],
    ['system', ['', 'zh-CN'], 'zh-CN'],
    [null, ['zh-CN'], 'zh-CN'],
    [null, ['de'], 'en'],
  ];
  it.each(table)('setting %s with system %j → %s', (setting, system, expected) => {
    expect(resolveLanguage(setting, system)).toBe(expected);
  });

  it('systemLanguage reads only the first preference', () => {
    expect(systemLanguage(['ja', 'zh-CN'])).toBe('en');
  });

  it('cycles system → zh-CN → en → system', () => {
    expect(LANGUAGE_SETTINGS).toEqual(['system', 'zh-CN', 'en']);
    expect(nextLanguageSetting('system')).toBe('zh-CN');
    expect(nextLanguageSetting('zh-CN')).toBe('en');
    expect(nextLanguageSetting('en')).toBe('system');
  });
});

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');

describe('dictionaries', () => {
  it('zh-CN has exactly the English keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(Object.entries(DICTIONARIES))('%s has no empty strings', (_lang, dict) => {
    const empty = Object.entries(dict).filter(([, v]) => v.trim() === '');
    expect(empty).toEqual([]);
  });

  it('zh-CN uses the same placeholders as English for every key', () => {
    const mismatched = Object.keys(en).filter((k) => {
      const key = k as keyof typeof en;
      return placeholders(en[key]).sort().join() !== placeholders(zhCN[key]).sort().join();
    });
    expect(mismatched).toEqual([]);
  });

  it('zh-CN is actually translated (most strings differ from English)', () => {
    const same = Object.keys(en).filter(
      (k) => zhCN[k as keyof typeof en] === en[k as keyof typeof en],
    );
    // Product and language names are the same in both; everything else must differ.
    expect(same.sort()).toEqual(['app.name', 'language.en', 'language.zh-CN', 'monitor.ffmpeg']);
  });

  it('the unauthorized message names the serve command in both languages', () => {
    expect(en['unauthorized.body']).toContain('liveslice serve');
    expect(zhCN['unauthorized.body']).toContain('liveslice serve');
    expect(en['unauthorized.body'].toLowerCase()).toContain('access token missing or wrong');
  });
});

describe('format / translator', () => {
  it('replaces known placeholders and keeps unknown ones visible', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(format('no params')).toBe('no params');
  });
  it('translates with parameters', () => {
    expect(translator('en')('sessions.createFailed', { message: 'boom' })).toBe(
      'The session was not created: boom',
    );
    expect(translator('zh-CN')('sessions.createFailed', { message: 'boom' })).toBe(
      '未能创建场次:boom',
    );
  });
});
