#!/usr/bin/env node
// Builds the labeled highlight-detection set in e2e/fixtures/detect/ (issue 5):
//   node scripts/make-detect-set.mjs [out-dir]
// Each case is a WebVTT transcript (what a recognizer would output), a labels file (where an
// operator wants a clip), and for some cases a short 16 kHz mono audio track (Opus in .mkv) made
// from espeak-ng speech (Mandarin through the `cmn-latn-pinyin` voice, English through `en`), the
// real recordings in ../shared/models/sherpa-onnx-zh-en-test-wavs, and beds made with ffmpeg
// (anoisesrc noise, aevalsrc sine chords, a pink-noise cheer 15 dB over the speech).
// Output is deterministic for a given espeak-ng / ffmpeg / libopus; it also writes README.md.
// Needs: ffmpeg, espeak-ng, and node_modules (pinyin-pro, prettier).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinyin } from 'pinyin-pro';
import * as prettier from 'prettier';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'e2e', 'fixtures', 'detect'));
const SHARED_WAVS = [
  process.env.LIVESLICE_SHARED_MODELS,
  '/work/shared/models',
  join(ROOT, '..', 'shared', 'models'),
]
  .filter(Boolean)
  .map((d) => join(d, 'sherpa-onnx-zh-en-test-wavs'))
  .find((d) => existsSync(d));
const SR = 16_000;

// The design's default window rules (e-commerce): labels follow them, see README.
const RULES = { preRollMinS: 2, preRollMaxS: 10, postRollMinS: 5, postRollMaxS: 15, mergeGapS: 5 };
const MARK = { pre: 20, post: 10 };
const SPEECH_DB = -26; // RMS of spoken audio
const CHEER_DB = SPEECH_DB + 15; // the loud cheer

// ---------------------------------------------------------------------------------------------
// Deterministic randomness.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Neutral talk. Nothing here may contain trigger vocabulary (checked below): no urgency, price,
// hype, scarcity, countdown or call-to-action words. Numbers appear, but never as prices.
const NEUTRAL_ZH = [
  '大家晚上好，欢迎来到我们的直播间',
  '今天我们主要给大家介绍几款秋冬的新品',
  '我先把衣服拿近一点，大家看一下面料',
  '这个面料摸起来是很软很糯的',
  '我身高一米六五，平时穿M码',
  '有朋友问这个颜色显不显黑',
  '我觉得黄皮的朋友选米白色会更好看',
  '我们先看一下评论区的问题',
  '有人问这个杯子能不能装热水',
  '可以的，它是双层的不锈钢内胆',
  '容量是五百毫升，放包里刚刚好',
  '我自己每天上班都会带着',
  '清洗的时候用软一点的刷子就可以',
  '这款面霜的质地是比较清爽的',
  '上脸之后吸收得很快，不会有黏腻的感觉',
  '油皮和混油皮的朋友都可以放心用',
  '干皮的话晚上可以叠加一层精华',
  '我喝口水，大家稍等我一下',
  '今天的灯光是不是有点太亮了',
  '后面的同事帮我把灯调暗一点',
  '好，我们继续看下一款',
  '这双运动鞋的鞋底是比较软的',
  '走一天路脚也不会觉得累',
  '鞋码是正常的，平时穿多大就选多大',
  '脚背比较高的朋友可以考虑大半码',
  '这个背包的隔层设计得很合理',
  '可以放下十四寸的笔记本电脑',
  '侧面还有一个放水杯的口袋',
  '肩带是加宽的，背久了肩膀也不会疼',
  '有朋友问什么时候发货',
  '一般是四十八小时之内从仓库发出',
  '这个台灯有三档亮度可以调节',
  '晚上看书的时候用暖光会比较舒服',
  '它的底座很稳，不容易被碰倒',
  '充一次电大概可以用一个星期',
  '这条围巾是羊毛混纺的',
  '围起来很暖和，也不会扎脖子',
  '颜色一共有四种，我今天戴的是灰色',
  '我看到有朋友说上次收到的很喜欢',
  '谢谢大家的支持，我们会继续努力',
  '这款耳机戴久了耳朵也不会疼',
  '降噪效果在地铁上是很明显的',
  '续航大概有二十个小时',
  '连接手机的时候打开蓝牙就可以',
  '这套餐具是陶瓷的，可以放进洗碗机',
  '盘子的边缘做了加厚处理',
  '我们家平时四个人吃饭，用这一套刚好',
  '这个收纳盒可以叠起来放',
  '放在衣柜里面能省不少空间',
  '盖子是透明的，里面放了什么一眼就能看到',
  '刚才有朋友问我们是不是新开的店',
  '其实我们已经做了三年多了',
  '之前主要是在线下门店',
  '今天外面下雨了，大家出门记得带伞',
  '我们先休息一下，聊聊天',
  '我这两天在看一部纪录片，内容挺有意思的',
  '好了，我们回到产品上来',
  '这件外套的版型是偏宽松的',
  '里面可以穿一件厚毛衣',
  '袖口是收紧的，冬天不会进风',
  '帽子是可以拆下来的',
  '这款洗面奶的泡沫很细腻',
  '洗完之后脸上不会觉得紧绷',
  '早晚各用一次就可以了',
  '这个保温杯保温效果能到十二个小时',
  '早上装的热水到下午还是烫的',
  '杯盖可以拧下来，方便清洗',
  '有朋友问这件毛衣会不会起球',
  '正常穿的话是不会的，洗的时候翻过来洗',
  '这个尺码表我放在旁边了，大家可以对照一下',
  '我们的客服晚上十点之前都在',
  '这款香薰的味道是比较淡的木质香',
  '放在卧室里面睡觉会比较放松',
  '这个锅是不粘的，煎鸡蛋不用放太多油',
  '手柄是隔热的，炒菜的时候不会烫手',
];

const NEUTRAL_EN = [
  'Good evening everyone, welcome to the stream',
  "Today we're looking at a few new pieces for the autumn",
  'Let me bring the jacket closer to the camera',
  'You can see the stitching on the collar here',
  'The fabric feels really soft and warm',
  'I am five foot five and I usually wear a medium',
  'Someone asked if this color works for warm skin tones',
  'I think the cream one looks better under these lights',
  'Let me read a few questions from the comments',
  'Can this bottle hold hot water? Yes, it can',
  'It has a double wall steel inner layer',
  'It holds about five hundred milliliters',
  'I take it with me to work every day',
  'You can clean it with a soft brush',
  'This cream has a light texture',
  'It sinks in quickly and does not feel sticky',
  'If you have dry skin you can add a serum at night',
  'Give me a moment, I need a sip of water',
  'Are the lights a bit too bright today?',
  'Could someone behind the camera dim them a little',
  "Okay, let's move on to the next item",
  'These running shoes have a very soft sole',
  "You can walk all day and your feet won't get tired",
  'The sizes run true, so pick your usual size',
  'This backpack has a really smart layout inside',
  'It fits a fourteen inch laptop',
  "There's a side pocket for a water bottle",
  "The straps are padded so your shoulders won't hurt",
  'Someone asked when the parcels ship',
  'Usually they go out within two days',
  'The desk lamp has three brightness levels',
  'Warm light is nicer for reading at night',
  'One charge lasts about a week',
  'This scarf is a wool blend',
  "It comes in four colors, I'm wearing the gray one",
  'Thanks for all the kind messages tonight',
  'These headphones stay comfortable for hours',
  'The noise cancelling really helps on the subway',
  'The battery lasts about twenty hours',
  'Just turn on bluetooth to pair it with your phone',
  'This dinner set is ceramic and dishwasher safe',
  "The plates have a thicker rim so they don't chip",
  'We are a family of four and this set is just right',
  'These storage boxes stack on top of each other',
  "The lid is clear so you can see what's inside",
  "We've been doing this for about three years",
  "It's raining outside, so take an umbrella if you go out",
  "Let's take a short break and chat for a bit",
  "I've been watching a really good documentary this week",
  'Alright, back to the products',
  'The sweater will not pill if you wash it inside out',
  'I put the size chart right next to me',
  'This candle has a light woody smell',
  'The pan is non stick, so you need very little oil',
];

const FORBIDDEN_ZH = [
  '最后',
  '分钟',
  '折',
  '半价',
  '秒杀',
  '爆',
  '炸裂',
  '只剩',
  '仅剩',
  '倒计时',
  '链接',
  '下单',
  '抢',
  '限时',
  '限量',
  '优惠',
  '福利',
  '价',
  '元',
  '块',
  '钱',
  '包邮',
  '送',
  '免费',
  '库存',
  '拍',
  '上车',
  '冲',
  '赶紧',
  '马上',
  '买',
  '卖',
  '点击',
  '关注',
];
const FORBIDDEN_EN =
  /\b(last|off|only|left|link|call|click|deal|sale|price|free|discount|buy|order|percent|countdown|hurry|stock|cart|grab|limited|sold|now|dollars?|cheap|save|minutes?)\b|[$%]/i;
for (const s of NEUTRAL_ZH) {
  const bad = FORBIDDEN_ZH.find((w) => s.includes(w));
  if (bad) throw new Error(`neutral zh sentence has trigger vocabulary "${bad}": ${s}`);
}
for (const s of NEUTRAL_EN) {
  if (FORBIDDEN_EN.test(s)) throw new Error(`neutral en sentence has trigger vocabulary: ${s}`);
}

/** A neutral-talk supply that never repeats a sentence within the last `pool/2` draws. */
function neutralSource(seed) {
  const r = rng(seed);
  const recent = { zh: [], en: [] };
  return (lang) => {
    const pool = lang === 'zh' ? NEUTRAL_ZH : NEUTRAL_EN;
    const mem = recent[lang];
    for (;;) {
      const s = pool[Math.floor(r() * pool.length)];
      if (mem.includes(s)) continue;
      mem.push(s);
      if (mem.length > pool.length / 2) mem.shift();
      return s;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Case scripts. Items:
//   { say, lang, hl?, gap? }  an utterance; `hl` names the highlight (labeled moment) whose trigger
//                             it is; `gap` = exact silence before it (default 0.35–0.8 s)
//   { n: k, lang }            k neutral sentences
//   { real: 'file.wav' }      a real recording (its text is the recognizer output in transcripts.tsv)
//   { cheer: s }              a loud cheer, no words (audio cases only)
//   { pause: s }              silence
//   { mark: s, hl? }          a manual mark s after the previous utterance ended
const say = (text, lang, hl, gap) => ({
  say: text,
  lang,
  ...(hl ? { hl } : {}),
  ...(gap === undefined ? {} : { gap }),
});
const zh = (text, hl, gap) => say(text, 'zh', hl, gap);
const en = (text, hl, gap) => say(text, 'en', hl, gap);
const N = (n, lang = 'zh') => ({ n, lang });

const CASES = [
  {
    name: 'zh-plain-triggers',
    audio: { bed: 'music' },
    describe:
      'Mandarin (espeak-ng) over a sine-chord music bed: four plain triggers from the issue — 最后三分钟 (urgency), 全场五折 (price), 点击下方链接 (call to action), 买爆了 (hype) — each ≥ 20 s from the next.',
    items: [
      N(3),
      zh('最后三分钟了，大家抓紧时间', 'urgency'),
      N(4),
      zh('今天全场五折，所有款式都参加', 'price'),
      N(4),
      zh('想要的朋友点击下方链接就可以', 'cta'),
      N(4),
      zh('这款面膜已经买爆了', 'hype'),
      N(3),
    ],
  },
  {
    name: 'en-plain-triggers',
    audio: { bed: 'noise' },
    describe:
      'English (espeak-ng) over a brown-noise bed: last call, 50% off (spoken "fifty percent off", written "50% off" as recognizers do), only three left, click the link below.',
    items: [
      N(3, 'en'),
      en('Last call for the winter jackets, everyone', 'urgency'),
      N(4, 'en'),
      en('Tonight everything in the shop is 50% off', 'price', undefined),
      N(4, 'en'),
      en('We have only three left in the gray color', 'scarcity'),
      N(4, 'en'),
      en('To get one, click the link below', 'cta'),
      N(3, 'en'),
    ],
  },
  {
    name: 'merge-near-duplicates',
    audio: { bed: 'noise' },
    describe:
      'Mandarin (espeak-ng): the host repeats a trigger — 最后三分钟 three times, each ≤ 5 s after the previous trigger utterance ended (once with a neutral sentence in between), then 全场五折 twice back to back. Each burst is ONE labeled moment from the sentence before the first repetition to the sentence after the last.',
    items: [
      N(4),
      zh('最后三分钟', 'burst-urgency'),
      zh('最后三分钟了家人们', 'burst-urgency', 0.5),
      zh('我们先看一下评论区的问题', undefined, 0.5),
      zh('真的只剩最后三分钟了', 'burst-urgency', 0.6),
      N(6),
      zh('全场五折', 'burst-price'),
      zh('全场五折，全场五折', 'burst-price', 1.0),
      N(3),
    ],
  },
  {
    name: 'two-triggers-8s-apart',
    audio: { bed: 'music' },
    describe:
      'Two pairs of triggers whose utterances are 8 s apart (silence + neutral talk between): the padded windows overlap, but the triggers are two moments, so each pair is TWO labels. Mandarin pair (最后三分钟 / 全场五折) and English pair (last call / only two left).',
    items: [
      N(3),
      zh('最后三分钟了，大家抓紧时间', 'pair1-a'),
      zh('我们先看一下评论区的问题', undefined, 1.2),
      zh('今天全场五折', 'pair1-b', { afterHl: 'pair1-a', gap: 8 }),
      N(6),
      en('Last call for the scarves', 'pair2-a'),
      en('Thanks for all the kind messages tonight', undefined, 1.0),
      en('We have only two left in red', 'pair2-b', { afterHl: 'pair2-a', gap: 8 }),
      N(3, 'en'),
    ],
  },
  {
    name: 'loud-cheer',
    audio: { bed: 'noise' },
    describe:
      'Mandarin (espeak-ng) with two loud cheers (pink-noise bursts 15 dB over the speech, no words, nothing in the transcript). The first cheer comes in neutral talk: NOT a highlight for the e-commerce preset (see "Excitement alone" under "How labels were chosen" in README.md). The second follows the trigger 买爆了: it belongs to that one highlight (it may raise its score, it must not add a second one).',
    items: [
      N(9),
      { pause: 0.6 },
      { cheer: 3.0 },
      { pause: 0.6 },
      N(5),
      zh('这款面膜已经买爆了', 'hype-with-cheer'),
      { pause: 0.3 },
      { cheer: 2.5 },
      { pause: 0.3 },
      N(4),
    ],
  },
  {
    name: 'real-recordings',
    audio: { bed: 'none' },
    describe:
      'The real recordings of sherpa-onnx-zh-en-test-wavs (lecture-style Mandarin, dialects, zh/en code-switching; transcripts = the recognizer hypotheses in transcripts.tsv) with three espeak-ng triggers spliced between them. Number hard negative inside: 重点呢想谈三个问题.',
    items: [
      { real: 'paraformer-zh-1.wav' },
      { real: 'paraformer-zh-2.wav' },
      zh('最后三分钟了，大家抓紧时间', 'urgency'),
      { real: 'bilingual-2.wav' },
      { real: 'paraformer-zh-0.wav' },
      { real: 'paraformer-zh-6-zh-en.wav' },
      { real: 'bilingual-1.wav' },
      zh('想要的朋友点击下方链接就可以', 'cta'),
      { real: 'paraformer-zh-3-sichuan.wav' },
      { real: 'bilingual-3.wav' },
      { real: 'paraformer-zh-4-tianjin.wav' },
      zh('今天全场五折', 'price'),
      { real: 'paraformer-zh-8k.wav' },
      { real: 'paraformer-zh-5-henan.wav' },
    ],
  },
  {
    name: 'numerals-zh',
    describe:
      'Digits vs Chinese numerals as recognizers write them: 最后3分钟 / 最后三分钟, 全场5折 / 全场五折, 只剩两件 / 只剩10件, 倒计时十秒 — one labeled moment each, ~25 s apart.',
    items: [
      N(3),
      zh('最后3分钟了', 'digits-urgency'),
      N(5),
      zh('最后三分钟了，没拍的抓紧', 'hanzi-urgency'),
      N(5),
      zh('今晚全场5折', 'digits-price'),
      N(5),
      zh('全场五折，所有颜色都一样', 'hanzi-price'),
      N(5),
      zh('这个颜色只剩两件了', 'liang-scarcity'),
      N(5),
      zh('库存只剩10件', 'digits-scarcity'),
      N(5),
      zh('倒计时十秒，准备好', 'hanzi-countdown'),
      N(3),
    ],
  },
  {
    name: 'numerals-en',
    describe:
      'English numbers in digits and in words: only 3 left / only three left, 50% off / fifty percent off — one labeled moment each.',
    items: [
      N(3, 'en'),
      en('We have only 3 left in medium', 'digits-scarcity'),
      N(5, 'en'),
      en('Only three left in the cream color', 'words-scarcity'),
      N(5, 'en'),
      en('The boots are 50% off tonight', 'digits-price'),
      N(5, 'en'),
      en('The scarves are fifty percent off as well', 'words-price'),
      N(3, 'en'),
    ],
  },
  {
    name: 'traditional-fullwidth',
    describe:
      'Traditional characters (最後三分鐘, 全場五折, 點擊下方連結, 買爆了) and full-width forms (ＬＡＳＴ　ＣＡＬＬ, ５０％　ＯＦＦ) — one labeled moment each; the neutral talk around them is simplified.',
    items: [
      N(3),
      zh('最後三分鐘了，大家抓緊時間', 'trad-urgency'),
      N(5),
      zh('今天全場五折', 'trad-price'),
      N(5),
      zh('想要的朋友點擊下方連結', 'trad-cta'),
      N(5),
      zh('這款已經買爆了', 'trad-hype'),
      N(5, 'en'),
      en('ＬＡＳＴ　ＣＡＬＬ　ｆｏｒ　ｔｈｅ　ｊａｃｋｅｔｓ', 'fullwidth-urgency'),
      N(5, 'en'),
      en('Ｅｖｅｒｙｔｈｉｎｇ　ｉｓ　５０％　ＯＦＦ', 'fullwidth-price'),
      N(3, 'en'),
    ],
  },
  {
    name: 'hard-negatives-zh',
    describe:
      'Mandarin hard negatives — trigger words in a non-trigger sense and numbers that are not prices: 我等了三分钟, 敷十五分钟, 2019年, 3个孩子, 秒杀全场 (praise, not a flash sale), 最后一个问题, 链接断了, 折叠椅, 倒计时提醒喝水. One real trigger (最后三分钟) in the middle so the case is not empty.',
    items: [
      N(2),
      zh('刚才我等了三分钟才连上麦'),
      N(3),
      zh('这个面膜敷十五分钟就可以揭掉了'),
      N(3),
      zh('我2019年就开始用这个牌子了'),
      N(3),
      zh('我家有3个孩子，所以都用大包装的'),
      N(3),
      zh('他昨天那场表现真的是秒杀全场'),
      N(4),
      zh('最后三分钟了，大家抓紧时间', 'real-urgency'),
      N(4),
      zh('最后一个问题，这个能不能机洗'),
      N(3),
      zh('刚才网络有点卡，链接断了一下'),
      N(3),
      zh('这个折叠椅打开只要三秒'),
      N(3),
      zh('我手机上设了一个倒计时提醒自己喝水'),
      N(3),
    ],
  },
  {
    name: 'hard-negatives-en',
    describe:
      'English hard negatives: "last caller" (word boundary), call my mom, fifty percent of you (no "off"), 3 kids, 2019, "only have one thing left", take the lid off, three minutes of waiting. One real trigger (last call) in the middle.',
    items: [
      N(2, 'en'),
      en('The last caller asked about the shipping time'),
      N(3, 'en'),
      en("I'll call my mom after the stream"),
      N(3, 'en'),
      en('Fifty percent of you are watching on your phones'),
      N(3, 'en'),
      en('I have 3 kids so I always need a big bag'),
      N(3, 'en'),
      en('Last call for the wool coats, everyone', 'real-urgency'),
      N(4, 'en'),
      en('We started this channel in 2019'),
      N(3, 'en'),
      en('I only have one thing left to say about the zipper'),
      N(3, 'en'),
      en('Take the lid off before you put it in the microwave'),
      N(3, 'en'),
      en('I waited three minutes for the video call to connect'),
      N(3, 'en'),
    ],
  },
  {
    name: 'merge-mixed',
    describe:
      'Near-duplicates in a transcript only: 最后三分钟 followed 1 s later by "last call everybody" (one moment, two languages); 只剩三件 then 只剩两件 with a neutral sentence between (≤ 5 s trigger to trigger); 点击下方链接 said twice. Three labeled moments.',
    items: [
      N(3),
      zh('最后三分钟', 'bilingual-urgency'),
      en('Last call everybody', 'bilingual-urgency', 1.0),
      N(6),
      zh('这个颜色只剩三件', 'scarcity-twice'),
      zh('有朋友问这个颜色显不显黑', undefined, 0.5),
      zh('现在只剩两件了', 'scarcity-twice', 0.5),
      N(6),
      zh('点击下方链接', 'cta-twice'),
      zh('链接就在下方，点击下方链接就能看到', 'cta-twice', 0.8),
      N(3),
    ],
  },
  {
    name: 'manual-marks',
    marks: true,
    describe:
      'Manual marks (`manual-marks.marks.json`): one in neutral talk (label = the mark window [at − 20 s, at + 10 s]), one 4 s after a trigger (label = the trigger window and the mark window together: one moment), and one plain trigger elsewhere.',
    items: [
      N(14),
      { mark: 1.0, hl: 'mark-alone' },
      N(10),
      zh('今天全场五折', 'trigger-and-mark'),
      { mark: 4.0, hl: 'trigger-and-mark' },
      N(10),
      zh('想要的朋友点击下方链接就可以', 'plain-trigger'),
      N(4),
    ],
  },
  {
    name: 'chat-spike',
    chat: true,
    describe:
      'A chat feed (`chat-spike.chat.jsonl`) with a steady trickle of messages and a burst of ~15 messages in the 10 s after the trigger 最后三分钟: one labeled moment (the chat spike supports the trigger, it is not a second highlight).',
    items: [N(18), zh('最后三分钟了，大家抓紧时间', 'urgency-with-chat'), N(10)],
  },
  {
    name: 'long-neutral-zh',
    describe: 'About 12 minutes of Mandarin product talk and chit-chat with no trigger: no labels.',
    items: [N(200)],
  },
  {
    name: 'long-neutral-en',
    describe: 'About 8 minutes of English product talk with no trigger: no labels.',
    items: [N(130, 'en')],
  },
  {
    name: 'long-talk-sparse-triggers',
    describe:
      'About 11 minutes of mixed Mandarin/English talk with six triggers about two minutes apart (全场五折, last call, 只剩三件, click the link below, 倒计时五秒, 太炸裂了).',
    items: [
      N(26),
      zh('今天全场五折，所有款式都参加', 's1'),
      N(26, 'en'),
      en('Last call for the gray scarves', 's2'),
      N(26),
      zh('米白色只剩三件了', 's3'),
      N(26, 'en'),
      en('If you want one, click the link below', 's4'),
      N(26),
      zh('倒计时五秒，五四三二一', 's5'),
      N(26),
      zh('这个上脸的效果太炸裂了', 's6'),
      N(20),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Speech.

function run(bin, args, opts = {}) {
  return execFileSync(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
    ...opts,
  });
}

const HANZI_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
/** Spoken form of digits for the pinyin voice (small integers as numbers, long ones digit by digit). */
function spokenDigits(text) {
  return text.replace(/\d+/g, (d) => {
    const n = Number(d);
    if (d.length >= 4) return [...d].map((c) => HANZI_DIGITS[Number(c)]).join('');
    if (n < 10) return HANZI_DIGITS[n];
    if (n < 20) return `十${n % 10 ? HANZI_DIGITS[n % 10] : ''}`;
    if (n < 100)
      return `${HANZI_DIGITS[Math.floor(n / 10)]}十${n % 10 ? HANZI_DIGITS[n % 10] : ''}`;
    return [...d].map((c) => HANZI_DIGITS[Number(c)]).join('');
  });
}

/** Mandarin text → tone-numbered pinyin for espeak-ng's cmn-latn-pinyin voice. */
function toPinyin(text) {
  const syl = pinyin(spokenDigits(text.normalize('NFKC')), { toneType: 'num', type: 'array' });
  return syl
    .map((s) =>
      /^[a-zü]+\d$/i.test(s) ? s.replace(/0$/, '5') : /[，。！？,.!?、]/.test(s) ? ',' : s,
    )
    .join(' ')
    .replace(/ü/g, 'v')
    .replace(/\s+,/g, ',');
}

function spokenEnglish(text) {
  return text.normalize('NFKC').replace(/50%/g, 'fifty percent');
}

let tmp;
const synthCache = new Map();
function synth(text, lang) {
  const key = `${lang}\u0000${text}`;
  if (synthCache.has(key)) return synthCache.get(key);
  const wav = join(tmp, `s${synthCache.size}.wav`);
  if (lang === 'zh')
    run('espeak-ng', ['-v', 'cmn-latn-pinyin', '-s', '190', '-w', wav, toPinyin(text)]);
  else run('espeak-ng', ['-v', 'en', '-s', '165', '-w', wav, spokenEnglish(text)]);
  const pcm = decode(wav);
  synthCache.set(key, pcm);
  return pcm;
}

/** Any audio file → Float32Array at 16 kHz mono. */
function decode(file) {
  const raw = run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    file,
    '-ac',
    '1',
    '-ar',
    String(SR),
    '-f',
    'f32le',
    'pipe:1',
  ]);
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4).slice();
}

/** ffmpeg lavfi source → Float32Array of `seconds` at 16 kHz. */
function lavfi(graph, seconds) {
  const raw = run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    graph,
    '-t',
    seconds.toFixed(3),
    '-ac',
    '1',
    '-ar',
    String(SR),
    '-f',
    'f32le',
    'pipe:1',
  ]);
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4).slice();
}

/** Trims silence (10 ms frames under −45 dBFS) and scales the active part to `db` RMS. */
function trimAndLevel(pcm, db) {
  const F = SR / 100;
  const active = [];
  for (let i = 0; i + F <= pcm.length; i += F) {
    let s = 0;
    for (let j = i; j < i + F; j++) s += pcm[j] * pcm[j];
    if (10 * Math.log10(s / F + 1e-20) > -45) active.push(i);
  }
  if (active.length === 0) throw new Error('silent speech clip');
  const out = pcm.slice(active[0], active.at(-1) + F);
  let s = 0;
  let n = 0;
  for (const i of active) {
    for (let j = i; j < i + F; j++) s += pcm[j] * pcm[j];
    n += F;
  }
  const gain = 10 ** (db / 20) / Math.sqrt(s / n);
  for (let i = 0; i < out.length; i++) out[i] *= gain;
  return out;
}

function rmsDb(pcm) {
  let s = 0;
  for (const v of pcm) s += v * v;
  return 10 * Math.log10(s / pcm.length);
}

const CHORDS = [
  [261.63, 329.63, 392.0],
  [220.0, 261.63, 329.63],
  [174.61, 220.0, 261.63],
  [196.0, 246.94, 293.66],
];
function musicGraph() {
  // A C–Am–F–G loop, 2 s per chord, with a soft 4 Hz pulse: aevalsrc expression of sines.
  const chord = (c) => c.map((f) => `sin(2*PI*${f}*t)`).join('+');
  const pick = CHORDS.reduceRight(
    (acc, c, i) =>
      i === CHORDS.length - 1
        ? `(${chord(c)})`
        : `if(lt(mod(t\\,8)\\,${2 * (i + 1)})\\,(${chord(c)})\\,${acc})`,
    '',
  );
  return `aevalsrc=exprs=0.1*(0.6+0.4*sin(2*PI*4*t))*${pick}:s=${SR}`;
}

// ---------------------------------------------------------------------------------------------
// Building a case.

const fmt = (t) => {
  const ms = Math.round(t * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
};
const r3 = (x) => Math.round(x * 1000) / 1000;

/** Reading time of a transcript-only utterance. */
function readingS(text, lang, r) {
  const t = text.normalize('NFKC');
  const cjk = (t.match(/\p{Script=Han}/gu) ?? []).length;
  const words = (t.replace(/\p{Script=Han}/gu, ' ').match(/[a-z0-9%']+/gi) ?? []).length;
  const base = lang === 'zh' ? cjk / 4.2 + words / 2.6 : words / 2.6 + cjk / 4.2;
  return Math.max(1.2, base * (0.92 + 0.16 * r()));
}

function buildCase(def, seed) {
  const r = rng(seed);
  const neutral = neutralSource(seed * 7 + 1);
  const audio = def.audio ? [] : null; // [{ at, pcm }]
  const utts = []; // { start, end, text, hl? }
  const marks = [];
  const cheers = [];
  let cursor = 0.8;
  let lastEnd = 0;
  const hlEnd = new Map();
  const transcripts = def.items.some((i) => i.real) ? realTranscripts() : null;

  const place = (text, lang, hl, gap) => {
    let start;
    if (gap && typeof gap === 'object') {
      start = hlEnd.get(gap.afterHl) + gap.gap;
      if (start < lastEnd + 0.3)
        throw new Error(`${def.name}: no room for "${text}" ${gap.gap} s after ${gap.afterHl}`);
    } else start = lastEnd === 0 ? cursor : Math.max(cursor, lastEnd + (gap ?? 0.35 + 0.45 * r()));
    let dur;
    if (audio) {
      const pcm = trimAndLevel(synth(text, lang), SPEECH_DB);
      audio.push({ at: start, pcm });
      dur = pcm.length / SR;
    } else dur = readingS(text, lang, r);
    const u = { start: r3(start), end: r3(start + dur), text, lang, ...(hl ? { hl } : {}) };
    utts.push(u);
    lastEnd = u.end;
    cursor = u.end;
    if (hl) hlEnd.set(hl, u.end);
  };

  for (const item of def.items) {
    if (item.say !== undefined) place(item.say, item.lang, item.hl, item.gap);
    else if (item.n !== undefined)
      for (let k = 0; k < item.n; k++) place(neutral(item.lang), item.lang);
    else if (item.pause !== undefined) cursor = Math.max(cursor, lastEnd) + item.pause;
    else if (item.cheer !== undefined) {
      if (!audio) throw new Error(`${def.name}: a cheer needs audio`);
      cheers.push({ at: cursor, dur: item.cheer });
      cursor += item.cheer;
      lastEnd = cursor;
    } else if (item.real !== undefined) {
      const start = lastEnd === 0 ? cursor : lastEnd + 0.35 + 0.45 * r();
      const pcm = trimAndLevel(decode(join(SHARED_WAVS, item.real)), SPEECH_DB);
      audio.push({ at: start, pcm });
      const text = transcripts.get(item.real);
      if (!text) throw new Error(`no transcript for ${item.real}`);
      utts.push({
        start: r3(start),
        end: r3(start + pcm.length / SR),
        text,
        lang: 'zh',
        real: item.real,
      });
      lastEnd = utts.at(-1).end;
      cursor = lastEnd;
    } else if (item.mark !== undefined) {
      marks.push({ at: r3(lastEnd + item.mark), ...(item.hl ? { hl: item.hl } : {}) });
    } else throw new Error(`${def.name}: unknown item ${JSON.stringify(item)}`);
  }
  const durationS = r3(Math.max(lastEnd, cursor) + 1.5);
  return { utts, marks, cheers, audio, durationS };
}

function realTranscripts() {
  const rows = readFileSync(join(SHARED_WAVS, 'transcripts.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return new Map(rows.map((l) => l.split('\t')).map(([f, t]) => [f, t]));
}

/**
 * Labels: one per named moment (`hl`). The window runs from the sentence before the moment's
 * first trigger to the sentence after its last trigger, by the design's rules: start = the latest
 * utterance start in [trigger start − 10 s, trigger start − 2 s]; end = the earliest utterance end
 * in [trigger end + 3 s, trigger end + 15 s] (fallbacks as in the design when none is in range).
 * A manual mark's window is [at − 20 s, at + 10 s]; a mark tied to a moment widens that moment.
 */
function labelsFor(name, utts, marks, durationS) {
  const groups = new Map();
  utts.forEach((u, i) => {
    if (!u.hl) return;
    if (!groups.has(u.hl)) groups.set(u.hl, []);
    groups.get(u.hl).push(i);
  });
  const starts = utts.map((u) => u.start);
  const ends = utts.map((u) => u.end);
  const out = [];
  for (const [hl, idx] of groups) {
    const first = utts[idx[0]];
    const last = utts[idx.at(-1)];
    // Intent check: repetitions of one moment are ≤ 5 s apart (trigger end → next trigger start).
    for (let k = 1; k < idx.length; k++) {
      const gap = utts[idx[k]].start - utts[idx[k - 1]].end;
      if (gap > RULES.mergeGapS - 0.5)
        throw new Error(`${name}/${hl}: repetitions ${gap.toFixed(2)} s apart`);
    }
    const ts = first.start;
    const before = starts.filter((s) => s <= ts - RULES.preRollMinS && s >= ts - RULES.preRollMaxS);
    const hiStart = ts - RULES.preRollMinS;
    // The minimum pre-roll point in a pause (inside no utterance) is the start itself.
    const startInPause =
      hiStart > 0 && !utts.some((u) => u.start < hiStart - 1e-9 && u.end > hiStart + 1e-9);
    let start;
    if (startInPause) start = hiStart;
    else if (before.length > 0) start = Math.max(...before);
    else {
      const lo = Math.max(0, ts - RULES.preRollMaxS);
      const snapped = starts.filter((s) => s >= lo && s <= ts);
      start = snapped.length > 0 ? Math.min(...snapped) : Math.max(0, ts - RULES.preRollMinS);
    }
    const te = last.end;
    const lo = te + RULES.postRollMinS;
    const after = ends.filter((e) => e >= lo && e <= te + RULES.postRollMaxS);
    // The minimum post-roll point in a pause (inside no utterance) is the end itself.
    const inPause = lo <= durationS && !utts.some((u) => u.start < lo - 1e-9 && u.end > lo + 1e-9);
    let end;
    if (inPause) end = lo;
    else if (after.length > 0) end = Math.min(...after);
    else {
      const within = ends.filter((e) => e <= te + RULES.postRollMaxS);
      end = within.length > 0 ? Math.max(...within) : te + RULES.postRollMaxS;
    }
    const note = `${hl}: ${idx.map((i) => utts[i].text).join(' / ')}`;
    out.push({ hl, start, end, note, triggerStart: ts, triggerEnd: te });
  }
  for (const m of marks) {
    const w = { start: Math.max(0, m.at - MARK.pre), end: Math.min(durationS, m.at + MARK.post) };
    const tied = m.hl ? out.find((l) => l.hl === m.hl) : undefined;
    if (tied) {
      tied.start = Math.min(tied.start, w.start);
      tied.end = Math.max(tied.end, w.end);
      tied.note += ` + manual mark at ${m.at} s`;
    } else out.push({ hl: m.hl ?? 'mark', ...w, note: `manual mark at ${m.at} s in neutral talk` });
  }
  // Separate moments must be separate triggers: > 5 s from one moment's trigger to the next.
  const byTrigger = out
    .filter((l) => l.triggerStart !== undefined)
    .sort((a, b) => a.triggerStart - b.triggerStart);
  for (let k = 1; k < byTrigger.length; k++) {
    const gap = byTrigger[k].triggerStart - byTrigger[k - 1].triggerEnd;
    if (gap <= RULES.mergeGapS + 1)
      throw new Error(
        `${name}: moments ${byTrigger[k - 1].hl} and ${byTrigger[k].hl} only ${gap.toFixed(2)} s apart`,
      );
  }
  out.sort((a, b) => a.start - b.start);
  // An operator never gets more than a handful per minute; stay under the preset's 6.
  for (const l of out) {
    const inMinute = out.filter((o) => o.start >= l.start && o.start < l.start + 60).length;
    if (inMinute > 4) throw new Error(`${name}: ${inMinute} moments within a minute of ${l.start}`);
  }
  return out.map((l) => ({ start: r3(l.start), end: r3(l.end), note: l.note }));
}

function vtt(utts) {
  const lines = ['WEBVTT', ''];
  for (const u of utts) {
    if (/[<>&]/.test(u.text)) throw new Error(`cue text needs escaping: ${u.text}`);
    lines.push(`${fmt(u.start)} --> ${fmt(u.end)}`, u.text, '');
  }
  return lines.join('\n');
}

function mixAudio(def, built, seed) {
  const total = Math.ceil(built.durationS * SR);
  const mix = new Float32Array(total);
  for (const { at, pcm } of built.audio) {
    const o = Math.round(at * SR);
    for (let i = 0; i < pcm.length && o + i < total; i++) mix[o + i] += pcm[i];
  }
  const bed =
    def.audio.bed === 'music'
      ? { pcm: lavfi(musicGraph(), built.durationS), db: -44 }
      : def.audio.bed === 'noise'
        ? {
            pcm: lavfi(
              `anoisesrc=color=brown:amplitude=0.2:seed=${seed}:sample_rate=${SR}`,
              built.durationS,
            ),
            db: -48,
          }
        : null;
  if (bed) {
    const gain = 10 ** ((bed.db - rmsDb(bed.pcm)) / 20);
    for (let i = 0; i < total && i < bed.pcm.length; i++) mix[i] += bed.pcm[i] * gain;
  }
  built.cheers.forEach((c, k) => {
    // A crowd: pink noise with a 0.25 s rise and a 0.6 s fall, a slow roar modulation, +15 dB.
    const pcm = lavfi(
      `anoisesrc=color=pink:amplitude=0.5:seed=${seed + 100 + k}:sample_rate=${SR},volume=eval=frame:volume='0.75+0.25*sin(2*PI*3*t)',afade=t=in:d=0.25,afade=t=out:st=${(c.dur - 0.6).toFixed(2)}:d=0.6`,
      c.dur,
    );
    const gain = 10 ** ((CHEER_DB - rmsDb(pcm)) / 20);
    const o = Math.round(c.at * SR);
    for (let i = 0; i < pcm.length && o + i < total; i++) mix[o + i] += pcm[i] * gain;
  });
  const s16 = Buffer.alloc(total * 2);
  for (let i = 0; i < total; i++)
    s16.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(mix[i] * 32767))), i * 2);
  return s16;
}

function encode(s16, file) {
  execFileSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      's16le',
      '-ar',
      String(SR),
      '-ac',
      '1',
      '-i',
      'pipe:0',
      '-c:a',
      'libopus',
      '-b:a',
      '16k',
      '-application',
      'audio',
      '-fflags',
      '+bitexact',
      '-flags:a',
      '+bitexact',
      '-map_metadata',
      '-1',
      '-y',
      file,
    ],
    { input: s16, stdio: ['pipe', 'ignore', 'pipe'] },
  );
}

/** Chat: a message every 5–12 s, and ~15 in the 10 s after the named moment's trigger. */
function chatFor(built, r) {
  const calm = [
    '主播好',
    '这个颜色好看',
    'M码有吗',
    '晚上好',
    '灯光挺好的',
    '面料厚吗',
    'hello',
    '来了来了',
    '刚下班',
    '围巾好看',
  ];
  const burst = [
    '已拍',
    '冲冲冲',
    '拍了拍了',
    '+1',
    '抢到了',
    '手慢了',
    '已下单',
    '冲',
    '拍到了',
    '好快',
  ];
  const trig = built.utts.find((u) => u.hl);
  const out = [];
  for (let t = 2 + 5 * r(); t < built.durationS; t += 5 + 7 * r()) {
    out.push({
      at: r3(t),
      user: `u${Math.floor(r() * 900) + 100}`,
      text: calm[Math.floor(r() * calm.length)],
    });
  }
  for (let k = 0; k < 15; k++) {
    out.push({
      at: r3(trig.end + 0.3 + 9.5 * r()),
      user: `u${Math.floor(r() * 900) + 100}`,
      text: burst[Math.floor(r() * burst.length)],
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

async function writeJson(file, value) {
  const config = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(
    file,
    await prettier.format(JSON.stringify(value), { ...config, parser: 'json', filepath: file }),
  );
}

// ---------------------------------------------------------------------------------------------

async function main() {
  for (const [bin, flag] of [
    ['ffmpeg', '-version'],
    ['espeak-ng', '--version'],
  ]) {
    try {
      run(bin, [flag]);
    } catch {
      throw new Error(`${bin} is not installed (it is needed to build the audio of the set)`);
    }
  }
  if (!SHARED_WAVS)
    throw new Error('sherpa-onnx-zh-en-test-wavs not found (set LIVESLICE_SHARED_MODELS)');
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) {
    if (/\.(vtt|labels\.json|marks\.json|chat\.jsonl|wav|mkv|mp4|flac)$/.test(f))
      rmSync(join(OUT, f));
  }
  tmp = mkdtempSync(join(tmpdir(), 'detect-set-'));
  const summary = [];
  try {
    for (const [i, def] of CASES.entries()) {
      const seed = 1000 + i * 17;
      const built = buildCase(def, seed);
      const labels = labelsFor(def.name, built.utts, built.marks, built.durationS);
      writeFileSync(join(OUT, `${def.name}.vtt`), vtt(built.utts));
      await writeJson(join(OUT, `${def.name}.labels.json`), {
        highlights: labels,
        notes: `${def.describe} Generated by scripts/make-detect-set.mjs; labels by the rules in README.md.`,
      });
      if (def.marks) {
        await writeJson(
          join(OUT, `${def.name}.marks.json`),
          built.marks.map((m) => ({ at: m.at })),
        );
      }
      if (def.chat) {
        const lines = chatFor(built, rng(seed + 5)).map((m) => JSON.stringify(m));
        writeFileSync(join(OUT, `${def.name}.chat.jsonl`), `${lines.join('\n')}\n`);
      }
      let audioBytes = 0;
      if (built.audio) {
        const file = join(OUT, `${def.name}.mkv`);
        encode(mixAudio(def, built, seed), file);
        audioBytes = statSync(file).size;
        if (audioBytes > 200_000) throw new Error(`${file} is ${audioBytes} bytes (> 200 kB)`);
      }
      const inLabel = (u) => labels.some((l) => u.end > l.start && u.start < l.end);
      const neutralS = built.utts
        .filter((u) => !inLabel(u))
        .reduce((s, u) => s + (u.end - u.start), 0);
      summary.push({ def, built, labels, audioBytes, neutralS });
      process.stderr.write(
        `${def.name}: ${built.utts.length} cues, ${labels.length} labels, ${built.durationS.toFixed(1)} s${audioBytes ? `, audio ${(audioBytes / 1000).toFixed(0)} kB` : ''}\n`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const labels = summary.reduce((s, c) => s + c.labels.length, 0);
  const neutralMin = summary.reduce((s, c) => s + c.neutralS, 0) / 60;
  const audioBytes = summary.reduce((s, c) => s + c.audioBytes, 0);
  if (labels < 40) throw new Error(`only ${labels} labeled highlights (need ≥ 40)`);
  if (neutralMin < 30)
    throw new Error(`only ${neutralMin.toFixed(1)} min of neutral talk (need ≥ 30)`);
  if (audioBytes > 3_000_000) throw new Error(`audio is ${audioBytes} bytes in all (> 3 MB)`);
  writeFileSync(join(OUT, 'README.md'), readme(summary, { labels, neutralMin, audioBytes }));
  process.stderr.write(
    `${summary.length} cases, ${labels} labels, ${neutralMin.toFixed(1)} min neutral talk, audio ${(audioBytes / 1e6).toFixed(2)} MB → ${OUT}\n`,
  );
}

function readme(summary, totals) {
  const rows = summary.map(({ def, built, labels, audioBytes, neutralS }) => {
    const extra = [
      audioBytes ? `audio .mkv ${(audioBytes / 1000).toFixed(0)} kB` : 'VTT only',
      def.marks ? 'marks' : '',
      def.chat ? 'chat' : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `| \`${def.name}\` | ${(built.durationS / 60).toFixed(1)} min | ${labels.length} | ${(neutralS / 60).toFixed(1)} min | ${extra} |`;
  });
  const details = summary.map(({ def }) => `- **\`${def.name}\`** — ${def.describe}`);
  return `# Labeled set for highlight detection (issue 5)

Generated by \`node scripts/make-detect-set.mjs\` (needs ffmpeg, espeak-ng, the shared test
recordings and node_modules); do not edit by hand — change the script and re-run it. Evaluate with
\`npm run build && npm run eval:detect -- e2e/fixtures/detect\`; the test
\`src-main/detect/eval/harness.test.ts\` runs the whole set with the e-commerce preset against the
bar (precision ≥ 0.9, recall ≥ 0.9, detection delay p95 ≤ 300 ms).

In all: ${summary.length} cases, **${totals.labels} labeled highlights**, **${totals.neutralMin.toFixed(1)} min of
neutral talk** (transcript outside every label), ${(totals.audioBytes / 1e6).toFixed(2)} MB of audio.

## Case layout
\`<name>.vtt\` — the transcript as a recognizer would output it (each cue is a final utterance;
for audio cases the cue times are where the speech is in the audio). \`<name>.labels.json\` —
\`{ "highlights": [{ "start", "end", "note" }], "notes" }\`, where an operator wants a clip.
Optional: \`<name>.mkv\` (16 kHz mono Opus, 16 kbit/s — the harness decodes it with ffmpeg for the
loudness frames), \`<name>.marks.json\` (\`[{ "at": s }]\`, manual marks), \`<name>.chat.jsonl\`
(\`{ "at", "user", "text" }\` per line).

| case | length | labels | neutral talk | inputs |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

## Cases
${details.join('\n')}

## How labels were chosen
- A labeled moment is a trigger an e-commerce operator would clip: urgency (最后三分钟 / last call),
  price (全场五折 / 50% off), hype (买爆了 / 太炸裂了), scarcity (只剩N件 / only N left), countdown
  (倒计时N秒) and call to action (点击下方链接 / click the link below) — the phrases the issue
  lists, written with digits or numerals, simplified or traditional, half- or full-width.
- The window is the sentence before the trigger to the sentence after it, made exact with the
  design's default rules: start = the latest utterance start between 10 s and 2 s before the
  trigger's utterance starts; end = the earliest utterance end between 3 s and 15 s after the
  trigger's utterance ends (with the design's fallbacks when no utterance is in range).
- Because these windows follow the same rules the detector implements, the mean boundary error on
  this set measures how faithfully the detector follows them (0 s when it does exactly); it is not
  an independent judgement of where a human editor would cut.
- Repetitions of a trigger ≤ 5 s apart (from the end of one trigger utterance to the start of the
  next) are one moment: one label from the sentence before the first to the sentence after the
  last. Triggers more than 5 s apart are separate moments even where their padded windows overlap
  (\`two-triggers-8s-apart\`). The script refuses a case that breaks either rule.
- A manual mark is an explicit request: its label is the mark window [at − 20 s, at + 10 s]
  (the design's default pre/post-roll); a mark that follows a trigger widens that moment's label.
- Hard negatives (trigger words in another sense, numbers that are not prices) have no label. The
  neutral talk is checked by the script to contain none of the trigger vocabulary.
- **Excitement alone** (\`loud-cheer\`, the first cheer): no label. In an e-commerce stream a loud
  burst with no words (applause from the crew, a music sting, a bumped microphone) is not a
  moment anyone buys from; the operator wants the product moments, and the loudness should only
  strengthen a trigger that is there (the second cheer, right after 买爆了, is inside that
  trigger's label). For the gaming and talk-show presets a cheer alone may well be a highlight;
  this set measures e-commerce only. Likewise a chat burst supports the trigger it follows
  (\`chat-spike\`) and is not a moment of its own.
- Matching (harness): a prediction matches a label when IoU ≥ 0.3 or it covers ≥ 50 % of the label,
  one-to-one, greedily by IoU.

## Sources and licences
- Synthetic speech: espeak-ng (Mandarin via the \`cmn-latn-pinyin\` voice from tone-numbered pinyin
  made with pinyin-pro; English via \`en\`). Beds: ffmpeg \`aevalsrc\` sine chords (C–Am–F–G),
  \`anoisesrc\` brown noise; the cheer is \`anoisesrc\` pink noise 15 dB over the speech level.
- \`real-recordings.mkv\` contains the real clips of
  \`../shared/models/sherpa-onnx-zh-en-test-wavs\` (see its SOURCE.md): \`bilingual-*.wav\` are from
  the Apache-2.0 sherpa-onnx bilingual zh-en model repos; **the \`paraformer-zh-*.wav\` clips'
  licence is NOT verified** — they are test fixtures only and must never ship in the app or its
  installers. Their transcripts are the recognizer hypotheses from transcripts.tsv, which is what
  a recognizer would output (that is what the harness consumes).
`;
}

main().catch((err) => {
  process.stderr.write(`make-detect-set: ${err.message}\n`);
  process.exitCode = 1;
});
