import { useAppState, useT } from '../state/context';

export function ConnectionStatus() {
  const t = useT();
  const connection = useAppState((s) => s.connection);
  const transport = useAppState((s) => s.transport);
  return (
    <div
      className="connection"
      data-testid="connection-status"
      data-state={connection}
      role="status"
      aria-label={t('connection.label')}
      title={`${t('connection.label')}: ${t(`connection.transport.${transport}`)}`}
    >
      <span className="connection__dot" aria-hidden="true" />
      <span>{t(`connection.${connection}`)}</span>
    </div>
  );
}
