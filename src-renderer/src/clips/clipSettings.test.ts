import { describe, expect, it } from 'vitest';
import { SETTING_DEFAULTS, type Settings } from '../contract';
import { clipSettingChanges, toForm } from './clipSettings';

describe('clip settings form', () => {
  it('an untouched form saves nothing', () => {
    expect(clipSettingChanges(SETTING_DEFAULTS, toForm(SETTING_DEFAULTS))).toEqual([]);
  });

  it('saves only what changed, trimmed; an empty watermark is none', () => {
    const before: Settings = { ...SETTING_DEFAULTS, 'clips.watermark': '/logo.png' };
    const form = {
      ...toForm(before),
      auto: false,
      reframe: 'blur' as const,
      copyright: '  © 2025 Shop  ',
      watermark: '   ',
    };
    expect(clipSettingChanges(before, form)).toEqual([
      { key: 'clips.auto', value: false },
      { key: 'clips.reframe', value: { mode: 'blur' } },
      { key: 'clips.copyright', value: '© 2025 Shop' },
      { key: 'clips.watermark', value: null },
    ]);
  });

  it('a template and the product on its cards; clearing them saves none', () => {
    const form = {
      ...toForm(SETTING_DEFAULTS),
      template: ' default ',
      productName: ' 保湿面霜 ',
      productPrice: '¥99',
      productImage: '',
    };
    expect(clipSettingChanges(SETTING_DEFAULTS, form)).toEqual([
      { key: 'clips.template', value: 'default' },
      { key: 'clips.product', value: { name: '保湿面霜', price: '¥99', image: null } },
    ]);
    const before: Settings = {
      ...SETTING_DEFAULTS,
      'clips.template': 'default',
      'clips.product': { name: 'a', price: '1', image: null },
    };
    expect(toForm(before)).toMatchObject({
      template: 'default',
      productName: 'a',
      productPrice: '1',
    });
    const cleared = { ...toForm(before), template: '', productName: '', productPrice: '' };
    expect(clipSettingChanges(before, cleared)).toEqual([
      { key: 'clips.template', value: null },
      { key: 'clips.product', value: null },
    ]);
  });

  it('a saved crop box is kept unless another framing is picked', () => {
    const box = { mode: 'box' as const, x: 0.1, y: 0, w: 0.3, h: 1 };
    const before: Settings = { ...SETTING_DEFAULTS, 'clips.reframe': box };
    const form = toForm(before);
    expect(form.reframe).toBe('kept');
    expect(clipSettingChanges(before, form)).toEqual([]);
    expect(clipSettingChanges(before, { ...form, reframe: 'center' })).toEqual([
      { key: 'clips.reframe', value: { mode: 'center' } },
    ]);
  });
});
