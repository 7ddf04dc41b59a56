import { useMemo } from 'react';
import type { Session } from '../contract';
import { formatBytes, formatDuration } from '../live/format';
import { sortedSessions } from '../state/store';
import { useAppState, useT } from '../state/context';
import { NewSessionForm } from './NewSessionForm';

interface Usage {
  bytes: number;
  durationS: number;
}

function SessionItem(props: {
  session: Session;
  selected: boolean;
  usage: Usage | null;
  onSelect: () => void;
}) {
  const t = useT();
  const { session, usage } = props;
  return (
    <li className="session-item">
      <button
        type="button"
        className="session-item__button"
        aria-current={props.selected ? 'true' : undefined}
        data-testid="session-item"
        data-session-id={session.id}
        onClick={props.onSelect}
      >
        <span className="session-item__title">{session.title}</span>
        <span className="session-item__meta">
          <span className={`badge badge--${session.status}`}>
            {t(`sessions.status.${session.status}`)}
          </span>
          <span>{t(`sessions.source.${session.source.kind}`)}</span>
        </span>
        {usage && (
          <span
            className="session-item__usage"
            data-testid="session-usage"
            title={t('sessions.usage', {
              duration: formatDuration(usage.durationS),
              size: formatBytes(usage.bytes),
            })}
          >
            {formatDuration(usage.durationS)} · {formatBytes(usage.bytes)}
          </span>
        )}
      </button>
    </li>
  );
}

export function SessionsPanel() {
  const t = useT();
  const sessionsById = useAppState((s) => s.sessions);
  const loaded = useAppState((s) => s.sessionsLoaded);
  const connection = useAppState((s) => s.connection);
  const selectedId = useAppState((s) => s.selectedSessionId);
  const selectSession = useAppState((s) => s.selectSession);
  const sessions = useMemo(() => sortedSessions(sessionsById), [sessionsById]);
  const storage = useAppState((s) => s.storage);
  const usageById = useMemo(
    () => new Map((storage?.sessions ?? []).map((u) => [u.id, u] as const)),
    [storage],
  );

  let status: string | null = null;
  if (sessions.length === 0) {
    if (loaded) status = t('sessions.empty');
    else if (connection === 'connected' || connection === 'connecting')
      status = t('sessions.loading');
    else status = t('sessions.unavailable');
  }

  return (
    <nav className="sessions" aria-labelledby="sessions-heading" data-testid="sessions">
      <h2 id="sessions-heading" className="sessions__heading">
        {t('sessions.heading')}
      </h2>
      <NewSessionForm />
      {status !== null ? (
        <p className="sessions__status" data-testid="sessions-status">
          {status}
        </p>
      ) : (
        <ul className="sessions__list" data-testid="sessions-list">
          {sessions.map((session) => (
            <SessionItem
              key={session.id}
              session={session}
              selected={session.id === selectedId}
              usage={usageById.get(session.id) ?? null}
              onSelect={() => selectSession(session.id)}
            />
          ))}
        </ul>
      )}
    </nav>
  );
}
