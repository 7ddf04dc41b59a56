import { NotBuilt } from './NotBuilt';
import { Pane } from './Pane';

export function PromptPane() {
  return (
    <Pane pane="prompt">
      <NotBuilt empty="pane.prompt.empty" future="pane.prompt.future" />
    </Pane>
  );
}

export function ReviewPane() {
  return (
    <Pane pane="review">
      <NotBuilt empty="pane.review.empty" future="pane.review.future" />
    </Pane>
  );
}
