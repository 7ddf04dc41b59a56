import { describe, expect, it } from 'vitest';
import { en, type MessageKey } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { statusText } from './IngestStatusBar';

const tZh = (k: MessageKey) => (zhCN as Record<string, string>)[k] ?? k;
const tEn = (k: MessageKey) => en[k];

describe('statusText', () => {
  it.each([
    ['eof', 'The file has been ingested to its end', tZh, '信号源已完整录制。'],
    ['disk_full', 'Stopped recording: …', tEn, 'Recording stopped: the data disk is almost full.'],
    ['something_new', 'Engine says hi', tZh, 'Engine says hi'],
    [null, 'No code', tZh, 'No code'],
  ] as const)('%s', (code, message, t, expected) =>
    expect(statusText(code, message, t)).toBe(expected),
  );
});
