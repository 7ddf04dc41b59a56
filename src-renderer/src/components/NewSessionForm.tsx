import { useId, useState, type FormEvent } from 'react';
import type { ErrorCode } from '../contract';
import { useEngine, useT } from '../state/context';
import { FailureLine } from './FailureLine';

/** Creates a session; the engine validates the title and its message is shown inline. */
export function NewSessionForm() {
  const t = useT();
  const { actions } = useEngine();
  const inputId = useId();
  const errorId = useId();
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; code: ErrorCode } | null>(null);

  const onSubmit = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await actions.createSession(title);
    setBusy(false);
    if (result.ok) setTitle('');
    else setError({ message: result.message, code: result.code });
  };

  return (
    <form className="new-session" onSubmit={(ev) => void onSubmit(ev)} noValidate>
      <label htmlFor={inputId} className="new-session__label">
        {t('sessions.newLabel')}
      </label>
      <input
        id={inputId}
        data-testid="new-session-title"
        type="text"
        value={title}
        maxLength={300}
        placeholder={t('sessions.newPlaceholder')}
        aria-invalid={error !== null}
        aria-describedby={error ? errorId : undefined}
        onChange={(ev) => {
          setTitle(ev.target.value);
          if (error) setError(null);
        }}
      />
      <button type="submit" data-testid="new-session-submit" disabled={busy}>
        {busy ? t('sessions.creating') : t('sessions.create')}
      </button>
      {error && (
        <FailureLine
          id={errorId}
          testId="new-session-error"
          text={t('sessions.createFailed', { message: error.message })}
          code={error.code}
        />
      )}
    </form>
  );
}
