/** Display names for highlight categories (known ones translated, others shown as they are). */
import type { MessageKey } from '../i18n/en';
import type { Translate } from '../i18n/language';

const CATEGORY_KEYS: Readonly<Record<string, MessageKey>> = {
  urgency: 'category.urgency',
  price: 'category.price',
  hype: 'category.hype',
  scarcity: 'category.scarcity',
  countdown: 'category.countdown',
  cta: 'category.cta',
  demo: 'category.demo',
  reaction: 'category.reaction',
  other: 'category.other',
  manual: 'category.manual',
  audio: 'category.audio',
};

export function categoryLabel(t: Translate, category: string): string {
  const key = Object.prototype.hasOwnProperty.call(CATEGORY_KEYS, category)
    ? CATEGORY_KEYS[category]
    : undefined;
  return key !== undefined ? t(key) : category;
}
