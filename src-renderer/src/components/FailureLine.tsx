import type { ReactNode } from 'react';
import type { ErrorCode } from '../contract';
import { useT } from '../state/context';

/**
 * A failed call, said once: what went wrong (the caller's sentence, with the engine's message)
 * and what to do next (the error code's hint), then an optional action such as Retry.
 */
export function FailureLine(props: {
  testId: string;
  text: string;
  code: ErrorCode | null;
  id?: string;
  children?: ReactNode;
}) {
  const t = useT();
  return (
    <p id={props.id} className="field-error" data-testid={props.testId} role="alert">
      {props.text}
      {props.code !== null && <span className="field-error__hint"> {t(`hint.${props.code}`)}</span>}
      {props.children !== undefined && <> {props.children}</>}
    </p>
  );
}
