import { LivePane } from './LivePane';
import { MonitorPane } from './MonitorPane';
import { HighlightsPane } from './HighlightsPane';
import { PromptPane, ReviewPane } from './PlannedPanes';
import { TranscriptPane } from './TranscriptPane';

/** The six panes in a 3×2 grid. */
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
