/** The clip settings form: what it shows from the settings and which changes it saves (pure). */
import type { CaptionStyle, OutputPreset, Reframe, SettingChange, Settings } from '../contract';

type ClipKeys =
  | 'clips.auto'
  | 'clips.output'
  | 'clips.reframe'
  | 'clips.captionStyle'
  | 'clips.watermark'
  | 'clips.copyright'
  | 'clips.template'
  | 'clips.product';

export interface ClipSettingsForm {
  auto: boolean;
  output: OutputPreset;
  /** 'kept' = the crop box already saved (a box is drawn per highlight, in the re-render dialog). */
  reframe: 'center' | 'blur' | 'kept';
  captionStyle: CaptionStyle;
  copyright: string;
  watermark: string;
  /** Branded intro/outro: '' none, else a template name ('default' = built in). */
  template: string;
  productName: string;
  productPrice: string;
  productImage: string;
}

export function toForm(s: Settings): ClipSettingsForm {
  const r = s['clips.reframe'];
  return {
    auto: s['clips.auto'],
    output: s['clips.output'],
    reframe: r.mode === 'box' ? 'kept' : r.mode,
    captionStyle: s['clips.captionStyle'],
    copyright: s['clips.copyright'],
    watermark: s['clips.watermark'] ?? '',
    template: s['clips.template'] ?? '',
    productName: s['clips.product']?.name ?? '',
    productPrice: s['clips.product']?.price ?? '',
    productImage: s['clips.product']?.image ?? '',
  };
}

/** The settings changes the form makes (only keys whose value changed). */
export function clipSettingChanges(before: Settings, form: ClipSettingsForm): SettingChange[] {
  const out: SettingChange[] = [];
  const push = <K extends ClipKeys>(key: K, value: Settings[K], same: boolean) => {
    if (!same) out.push({ key, value } as SettingChange);
  };
  push('clips.auto', form.auto, form.auto === before['clips.auto']);
  push('clips.output', form.output, form.output === before['clips.output']);
  if (form.reframe !== 'kept') {
    const reframe: Reframe = { mode: form.reframe };
    push('clips.reframe', reframe, before['clips.reframe'].mode === form.reframe);
  }
  push('clips.captionStyle', form.captionStyle, form.captionStyle === before['clips.captionStyle']);
  const copyright = form.copyright.trim();
  push('clips.copyright', copyright, copyright === before['clips.copyright']);
  const watermark = form.watermark.trim() === '' ? null : form.watermark.trim();
  push('clips.watermark', watermark, watermark === before['clips.watermark']);
  const template = form.template.trim() === '' ? null : form.template.trim();
  push('clips.template', template, template === before['clips.template']);
  const name = form.productName.trim();
  const price = form.productPrice.trim();
  const image = form.productImage.trim() === '' ? null : form.productImage.trim();
  const product = name === '' && price === '' && image === null ? null : { name, price, image };
  const was = before['clips.product'];
  const sameProduct =
    product === null
      ? was === null
      : was !== null && was.name === name && was.price === price && was.image === image;
  push('clips.product', product, sameProduct);
  return out;
}
