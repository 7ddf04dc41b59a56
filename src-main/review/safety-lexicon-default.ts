/**
 * The built-in starting lexicons — deliberately modest: absolute claims that China's
 * advertising law (广告法 art. 9) forbids, off-platform contact terms that live-commerce
 * platforms forbid in clips, and a few English profanities. Operators extend or replace them;
 * no political list ships here.
 */
import { compileLexicons, type CompiledLexicon, type Lexicon } from './safety-words';

export const DEFAULT_ZH_LEXICON: Lexicon = {
  name: 'default-zh',
  entries: [
    // 广告法: absolute claims
    {
      id: 'ad.zuihao',
      term: '最好',
      category: 'ad-law',
      severity: 'warn',
      allow: ['最好不要', '最好别', '最好是', '最好还是', '最好先'],
    },
    { id: 'ad.zuijia', term: '最佳', category: 'ad-law', severity: 'warn' },
    { id: 'ad.zuiqiang', term: '最强', category: 'ad-law', severity: 'warn' },
    { id: 'ad.zuidijia', term: '最低价', category: 'ad-law', severity: 'warn' },
    {
      id: 'ad.diyi',
      term: '第一',
      category: 'ad-law',
      severity: 'warn',
      allow: ['第一次', '第一步', '第一天', '第一眼', '第一时间', '第一集', '第一期', '第一章'],
    },
    { id: 'ad.guojiaji', term: '国家级', category: 'ad-law', severity: 'warn' },
    { id: 'ad.shijieji', term: '世界级', category: 'ad-law', severity: 'warn' },
    { id: 'ad.dingji', term: '顶级', category: 'ad-law', severity: 'warn' },
    { id: 'ad.wanneng', term: '万能', category: 'ad-law', severity: 'warn' },
    { id: 'ad.100youxiao', term: '100%有效', category: 'ad-law', severity: 'block' },
    { id: 'ad.juedui-youxiao', term: '绝对有效', category: 'ad-law', severity: 'block' },
    { id: 'ad.genzhi', term: '根治', category: 'ad-law', severity: 'block' },
    { id: 'ad.quanwang-zuidi', term: '全网最低', category: 'ad-law', severity: 'warn' },
    { id: 'ad.shishang-zuidi', term: '史上最低', category: 'ad-law', severity: 'warn' },
    // Off-platform contact
    { id: 'platform.weixin', term: '微信', category: 'platform', severity: 'warn' },
    { id: 'platform.weixin-homophone1', term: '威信', category: 'platform', severity: 'warn' },
    { id: 'platform.weixin-homophone2', term: '薇信', category: 'platform', severity: 'warn' },
    { id: 'platform.vx', term: 'vx', category: 'platform', severity: 'warn' },
    { id: 'platform.jia-weixin', term: '加微信', category: 'platform', severity: 'block' },
    { id: 'platform.jia-wei', term: '加微', category: 'platform', severity: 'block' },
    { id: 'platform.jia-v', term: '加V', category: 'platform', severity: 'block' },
    { id: 'platform.jia-qq', term: '加QQ', category: 'platform', severity: 'block' },
    { id: 'platform.sixia-jiaoyi', term: '私下交易', category: 'platform', severity: 'block' },
    { id: 'platform.xianxia-jiaoyi', term: '线下交易', category: 'platform', severity: 'block' },
    { id: 'platform.saoma', term: '扫码加', category: 'platform', severity: 'block' },
  ],
};

export const DEFAULT_EN_LEXICON: Lexicon = {
  name: 'default-en',
  entries: [
    { id: 'en.fuck', term: 'fuck', category: 'adult', severity: 'block', match: 'prefix' },
    { id: 'en.motherfucker', term: 'motherfucker', category: 'adult', severity: 'block' },
    { id: 'en.cunt', term: 'cunt', category: 'adult', severity: 'block' },
    { id: 'en.shit', term: 'shit', category: 'adult', severity: 'warn' },
    { id: 'en.bitch', term: 'bitch', category: 'adult', severity: 'warn' },
    { id: 'en.asshole', term: 'asshole', category: 'adult', severity: 'warn' },
    { id: 'en.ass', term: 'ass', category: 'adult', severity: 'warn' },
  ],
};

export const DEFAULT_LEXICONS: readonly Lexicon[] = [DEFAULT_ZH_LEXICON, DEFAULT_EN_LEXICON];

let compiledDefault: CompiledLexicon | null = null;

/** The default lexicons, compiled once. */
export function defaultSafetyLexicon(): CompiledLexicon {
  compiledDefault ??= compileLexicons(DEFAULT_LEXICONS);
  return compiledDefault;
}
