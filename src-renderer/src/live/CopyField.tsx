import { useEffect, useId, useRef, useState } from 'react';
import { useT } from '../state/context';

type CopyState = 'idle' | 'copied' | 'failed';
const FEEDBACK_MS = 2000;

/**
 * A read-only value with a Copy button. The value sits in a read-only input, so it can always be
 * selected by hand; `secret` masks it (type=password) until the operator shows it.
 */
export function CopyField(props: {
  label: string;
  value: string;
  testId: string;
  copyTestId: string;
  secret?: boolean;
  toggleTestId?: string;
}) {
  const t = useT();
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<CopyState>('idle');
  const [revealed, setRevealed] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const flash = (next: CopyState) => {
    setState(next);
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), FEEDBACK_MS);
  };

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(props.value);
      flash('copied');
    } catch {
      inputRef.current?.select();
      flash('failed');
    }
  };

  const masked = props.secret === true && !revealed;
  return (
    <div className="copy-field">
      <label htmlFor={id} className="copy-field__label">
        {props.label}
      </label>
      <div className="copy-field__row">
        <input
          ref={inputRef}
          id={id}
          className="copy-field__value"
          data-testid={props.testId}
          type={masked ? 'password' : 'text'}
          value={props.value}
          readOnly
          spellCheck={false}
          autoComplete="off"
          onFocus={(ev) => ev.currentTarget.select()}
        />
        {props.secret === true && (
          <button
            type="button"
            data-testid={props.toggleTestId}
            aria-pressed={revealed}
            onClick={() => setRevealed((r) => !r)}
          >
            {revealed ? t('source.key.hide') : t('source.key.show')}
          </button>
        )}
        <button
          type="button"
          data-testid={props.copyTestId}
          data-copied={state === 'copied' ? 'true' : undefined}
          aria-label={t('source.copyWhat', { what: props.label })}
          onClick={() => void copy()}
        >
          {state === 'copied' ? t('source.copied') : t('source.copy')}
        </button>
      </div>
      {state === 'failed' && (
        <p className="field-error" role="status">
          {t('source.copyFailed')}
        </p>
      )}
    </div>
  );
}
