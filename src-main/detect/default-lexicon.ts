/**
 * The built-in trigger lexicon: Chinese and English live-commerce phrases first (urgency,
 * price, hype, scarcity, countdown, call to action, product demo), then a few gaming and
 * talk-show reactions. Weights follow how sure a phrase alone makes a highlight (the e-commerce
 * minimum score is 0.5): words with an everyday sense too (秒杀 "outclasses", 炸裂, 我的天)
 * stay below it and only count together with another signal; 限时秒杀 / 秒杀价 carry it alone.
 */
import type { Category, Lexicon, LexiconEntry } from './types';

function e(
  id: string,
  pattern: string,
  category: Category,
  weight: number,
  lang: LexiconEntry['lang'],
  note?: string,
): LexiconEntry {
  return { id, pattern, category, weight, lang, ...(note ? { note } : {}) };
}

const ENTRIES: LexiconEntry[] = [
  // ---- urgency ----
  e(
    'zh-last-n-minutes',
    '最后{n}分钟',
    'urgency',
    0.75,
    'zh',
    '最后三分钟 / 最后3分钟 / 最後五分鐘',
  ),
  e('zh-last-n-seconds', '最后{n}秒', 'urgency', 0.75, 'zh'),
  e('zh-last-few-minutes', '最后几分钟', 'urgency', 0.7, 'zh'),
  e('zh-last-chance', '(最后一次机会|最后的机会|最后机会)', 'urgency', 0.65, 'zh'),
  e('zh-limited-time', '限时(抢购|特价|优惠|福利)', 'urgency', 0.7, 'zh'),
  e('zh-ending-soon', '(马上|即将|快要)(结束|下架|截止)', 'urgency', 0.65, 'zh'),
  e('zh-hurry', '(赶紧|赶快|抓紧)(下单|拍|抢|冲)', 'urgency', 0.7, 'zh'),
  e('zh-last-round', '最后一波', 'urgency', 0.65, 'zh'),
  e('en-last-call', 'last call', 'urgency', 0.75, 'en'),
  e('en-final-minutes', 'final minutes', 'urgency', 0.7, 'en'),
  e('en-final-n-minutes', '(final|last) {n} minutes', 'urgency', 0.75, 'en'),
  e('en-last-chance', 'last chance', 'urgency', 0.7, 'en'),
  e('en-ending-soon', '(ending|ends) soon', 'urgency', 0.6, 'en'),
  e('en-limited-time', 'limited time (offer|only|deal)', 'urgency', 0.7, 'en'),
  e('en-hurry-up', 'hurry up', 'urgency', 0.5, 'en'),

  // ---- price ----
  e('zh-store-wide-discount', '(全场|全场打){n}折', 'price', 0.8, 'zh', '全场五折 / 全场5折'),
  e('zh-discount', '打{n}折', 'price', 0.65, 'zh'),
  e('zh-n-discount', '{n}折(起|优惠|价)', 'price', 0.6, 'zh'),
  e('zh-half-price', '半价', 'price', 0.7, 'zh'),
  e('zh-flash-sale', '秒杀', 'price', 0.45, 'zh', 'also "outclasses": alone it stays below 0.5'),
  e('zh-flash-sale-timed', '限时秒杀', 'price', 0.85, 'zh'),
  e('zh-flash-sale-price', '秒杀价', 'price', 0.8, 'zh'),
  e('zh-flash-sale-start', '秒杀(开始|来了|开抢)', 'price', 0.85, 'zh'),
  e('zh-start-flash-sale', '开始秒杀', 'price', 0.85, 'zh'),
  e('zh-buy-get', '买{n}送{n}', 'price', 0.75, 'zh', '买一送一 / 买二送一'),
  e('zh-price-cut', '(直降|立减|立省){n}', 'price', 0.7, 'zh'),
  e('zh-lowest-price', '(全网|历史)最低', 'price', 0.75, 'zh'),
  e('zh-final-price', '到手(价|只要)', 'price', 0.6, 'zh'),
  e('zh-only-n-yuan', '(只要|只需|仅需){n}(块|元)', 'price', 0.65, 'zh'),
  e('zh-coupon', '(领|用)(券|优惠券)', 'price', 0.55, 'zh'),
  e('zh-welfare-price', '(福利价|宠粉价|骨折价)', 'price', 0.7, 'zh'),
  e('zh-free-gift', '(免费送|白送|0元)', 'price', 0.6, 'zh'),
  e('en-percent-off', '{n}% off', 'price', 0.75, 'en', '50% off ≡ fifty percent off'),
  e('en-half-price', 'half (price|off)', 'price', 0.75, 'en'),
  e('en-bogo', 'buy {n} get {n}', 'price', 0.75, 'en', 'buy one get one'),
  e('en-bogo-short', 'bogo', 'price', 0.6, 'en'),
  e('en-dollars-off', '{n} dollars off', 'price', 0.65, 'en'),
  e('en-lowest-price', '(lowest|best) price (ever|today)', 'price', 0.7, 'en'),
  e('en-flash-sale', 'flash sale', 'price', 0.75, 'en'),
  e('en-price-drop', 'price drop', 'price', 0.6, 'en'),

  // ---- hype ----
  e('zh-sold-like-crazy', '(买|卖|抢)爆了', 'hype', 0.75, 'zh', '买爆了 / 卖爆了'),
  e('zh-mind-blowing', '太炸裂了', 'hype', 0.75, 'zh'),
  e('zh-explosive', '炸裂', 'hype', 0.45, 'zh', 'also everyday slang: alone it stays below 0.5'),
  e('zh-crazy-grab', '(抢疯了|疯抢)', 'hype', 0.7, 'zh'),
  e('zh-too-cheap', '(太|超)(便宜|划算)了', 'hype', 0.6, 'zh'),
  e('zh-never-seen-price', '史无前例的(价格|力度)', 'hype', 0.7, 'zh'),
  e('zh-big-deal', '(力度|优惠)(太|超)大了', 'hype', 0.65, 'zh'),
  e('en-insane-deal', '(insane|crazy|incredible) deal', 'hype', 0.75, 'en'),
  e('en-selling-fast', 'selling (fast|like crazy|out)', 'hype', 0.7, 'en'),
  e('en-steal', "(what a|it's a) steal", 'hype', 0.6, 'en'),

  // ---- scarcity ----
  e(
    'zh-only-n-left',
    '(只剩|只剩下|仅剩|就剩){n}(件|单|个|份|台|套|瓶|盒)',
    'scarcity',
    0.75,
    'zh',
    '只剩三件',
  ),
  e('zh-still-n-left', '还剩{n}(件|单|份|台|套|瓶|盒)', 'scarcity', 0.65, 'zh'),
  e('zh-last-n-units', '最后{n}(件|单|份|台|套)', 'scarcity', 0.75, 'zh', 'not 个: 最后一个问题'),
  e('zh-stock-alert', '库存(告急|不多了|紧张)', 'scarcity', 0.75, 'zh', '库存告急'),
  e('zh-almost-gone', '(马上|快要)(抢完|卖完|没了)', 'scarcity', 0.65, 'zh'),
  e('zh-sold-out', '(卖光|抢光|售罄|秒空)', 'scarcity', 0.7, 'zh'),
  e('zh-limited-units', '限量{n}', 'scarcity', 0.65, 'zh'),
  e('en-only-n-left', 'only {n} left', 'scarcity', 0.75, 'en'),
  e('en-almost-sold-out', '(almost|nearly) (sold out|gone)', 'scarcity', 0.7, 'en'),
  e('en-limited-stock', 'limited (stock|quantity|supply)', 'scarcity', 0.65, 'en'),
  e('en-sold-out', 'sold out', 'scarcity', 0.6, 'en'),

  // ---- countdown ----
  e('zh-countdown', '倒计时', 'countdown', 0.45, 'zh', 'also a kitchen timer: alone below 0.5'),
  e('zh-countdown-n', '倒计时{n}(秒|分钟)', 'countdown', 0.8, 'zh', '倒计时十秒'),
  e('zh-countdown-start', '(开始|进入|最后)倒计时', 'countdown', 0.8, 'zh'),
  e('zh-countdown-go', '倒计时(开始|开抢|走起)', 'countdown', 0.8, 'zh'),
  e('zh-count-321', '(321|54321)(上链接|开抢|上车|开始)', 'countdown', 0.85, 'zh', '三二一上链接'),
  e('zh-n-seconds-go', '{n}秒(后|之后)(开抢|上链接|开始)', 'countdown', 0.75, 'zh'),
  e('en-countdown', 'countdown', 'countdown', 0.6, 'en'),
  e('en-n-seconds-left', '{n} seconds (left|to go)', 'countdown', 0.7, 'en'),

  // ---- call to action ----
  e('zh-click-link-below', '点击下方链接', 'cta', 0.75, 'zh'),
  e('zh-link-below', '(下方|下面|下方的|下面的)链接', 'cta', 0.6, 'zh'),
  e('zh-shopping-cart', '小黄车', 'cta', 0.7, 'zh'),
  e('zh-put-up-link', '上链接', 'cta', 0.75, 'zh'),
  e('zh-link-number', '{n}号链接', 'cta', 0.65, 'zh'),
  e('zh-go-order', '(快去拍|直接拍|去下单|快去下单|直接下单|马上下单)', 'cta', 0.6, 'zh'),
  e('zh-add-cart', '(加购物车|加入购物车)', 'cta', 0.6, 'zh'),
  e('zh-follow', '(点个|点点)关注', 'cta', 0.45, 'zh'),
  e('en-link-below', 'link (below|in the description|in bio)', 'cta', 0.75, 'en'),
  e(
    'en-add-to-cart',
    '(add to cart|add to your cart|add it to cart|add it to your cart)',
    'cta',
    0.65,
    'en',
  ),
  e('en-grab-now', '(grab|get|order) (it|yours|one) now', 'cta', 0.65, 'en'),
  e('en-check-out-now', 'check out now', 'cta', 0.6, 'en'),

  // ---- product demo ----
  e('zh-show-everyone', '给(大家|你们)看一下', 'demo', 0.55, 'zh'),
  e('zh-on-body', '上身效果', 'demo', 0.55, 'zh'),
  e('zh-try-on', '(试穿|试用|试吃)给(大家|你们)看', 'demo', 0.55, 'zh'),
  e('zh-close-up', '(看一下|看看)(这个细节|细节)', 'demo', 0.5, 'zh'),
  e('zh-live-test', '现场(测试|试用|演示)', 'demo', 0.55, 'zh'),
  e('en-let-me-show-you', 'let me show you', 'demo', 0.55, 'en'),
  e('en-take-a-look', 'take a (look|closer look) at this', 'demo', 0.5, 'en'),
  e('en-see-how', 'see how it (looks|works)', 'demo', 0.5, 'en'),

  // ---- gaming reactions ----
  e('zh-penta-kill', '(五杀|四杀|三杀)', 'reaction', 0.8, 'zh'),
  e('zh-god-mode', '(超神|绝杀|翻盘|团灭)', 'reaction', 0.6, 'zh'),
  e('zh-so-strong', '(太|好)(强|猛|秀)了', 'reaction', 0.45, 'zh'),
  e('zh-oh-my-god', '我的天', 'reaction', 0.35, 'zh'),
  e('en-clutch', 'clutch', 'reaction', 0.55, 'en'),
  e('en-what-a-play', 'what a (play|shot|save)', 'reaction', 0.6, 'en'),
  e('en-headshot', '(headshot|head shot)', 'reaction', 0.45, 'en'),
  e('en-no-way', 'no way', 'reaction', 0.3, 'en'),

  // ---- talk-show reactions ----
  e('zh-so-funny', '(笑死我了|太好笑了|笑不活了)', 'reaction', 0.55, 'zh'),
  e('zh-laughing', '哈哈哈哈', 'reaction', 0.45, 'zh'),
  e('zh-applause', '(掌声|鼓掌)(送给|欢迎)', 'reaction', 0.55, 'zh'),
  e('en-hilarious', "(that's|that is) hilarious", 'reaction', 0.55, 'en'),
  e('en-round-of-applause', 'round of applause', 'reaction', 0.6, 'en'),
];

/** The built-in lexicon (frozen). */
export const DEFAULT_LEXICON: Lexicon = Object.freeze({
  version: 1,
  entries: Object.freeze(ENTRIES.map((x) => Object.freeze(x))) as LexiconEntry[],
}) as Lexicon;
