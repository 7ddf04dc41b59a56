import { LivePane } from './LivePane';
import { MonitorPane } from './MonitorPane';
import { HighlightsPane } from './HighlightsPane';
import { PromptPane } from './PromptPane';
import { ReviewPane } from './ReviewPane';
import { TranscriptPane } from './TranscriptPane';

/** The six panes in a grid (placed by styles.css: the review queue gets the wide bottom row). */
export function Workspace() {
  return (
    <div className="workspace">
      <LivePane />
      <TranscriptPane />
      <HighlightsPane />
      <PromptPane />
      <ReviewPane />
      <MonitorPane />
    </div>
  );
}
