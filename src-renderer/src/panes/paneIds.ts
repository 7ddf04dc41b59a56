import type { MessageKey } from '../i18n/en';

/** The six panes, in Alt+1…Alt+6 order. */
export const PANE_IDS = [
  'live',
  'transcript',
  'highlights',
  'prompt',
  'review',
  'monitor',
] as const;
export type PaneId = (typeof PANE_IDS)[number];

export const PANE_TITLE_KEYS: { readonly [P in PaneId]: MessageKey } = {
  live: 'pane.live.title',
  transcript: 'pane.transcript.title',
  highlights: 'pane.highlights.title',
  prompt: 'pane.prompt.title',
  review: 'pane.review.title',
  monitor: 'pane.monitor.title',
};

/** The DOM id of a pane's section (focus target of Alt+N). */
export const paneDomId = (pane: PaneId): string => `pane-${pane}`;
