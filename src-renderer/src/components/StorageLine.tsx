import { useEffect, useState } from 'react';
import type { StorageUsage } from '../contract';
import type { Translate } from '../i18n/language';
import { formatBytes } from '../live/format';
import { useAppState, useEngine, useT } from '../state/context';

/** How often disk use is read again while connected. */
export const STORAGE_POLL_MS = 30_000;

export function retentionText(t: Translate, usage: StorageUsage): string {
  const parts: string[] = [];
  if (usage.retentionHours !== null) {
    parts.push(t('storage.retention.hours', { hours: usage.retentionHours }));
  }
  if (usage.retentionGB !== null) parts.push(t('storage.retention.gb', { gb: usage.retentionGB }));
  return parts.length > 0 ? parts.join(' · ') : t('storage.retention.none');
}

/** DVR total, free disk, the retention policy and "Prune now". */
export function StorageLine() {
  const t = useT();
  const { actions, store } = useEngine();
  const usage = useAppState((s) => s.storage);
  const error = useAppState((s) => s.storageError);
  const connected = useAppState((s) => s.connection === 'connected');
  const warnGB = useAppState((s) => s.settings?.['disk.warnFreeGB'] ?? null);
  const stopGB = useAppState((s) => s.settings?.['disk.stopFreeGB'] ?? null);
  const [pruning, setPruning] = useState(false);

  useEffect(() => {
    if (!connected) return;
    const timer = setInterval(() => void actions.loadStorage(), STORAGE_POLL_MS);
    return () => clearInterval(timer);
  }, [connected, actions]);

  const prune = async () => {
    const before = usage?.dvrBytes ?? null;
    setPruning(true);
    const r = await actions.pruneStorage();
    setPruning(false);
    const s = store.getState();
    if (r.ok) {
      s.pushNotice({
        kind: 'info',
        action: null,
        message: '',
        messageKey: 'storage.pruned',
        params: {
          freed: formatBytes(before !== null ? Math.max(0, before - r.value.dvrBytes) : 0),
        },
        code: null,
      });
    } else {
      s.pushNotice({
        kind: 'error',
        action: 'action.pruneStorage',
        message: r.message,
        messageKey: null,
        params: {},
        code: r.code,
      });
    }
  };

  const low =
    usage !== null && usage.freeBytes !== null && warnGB !== null && usage.freeBytes < warnGB * 1e9;

  return (
    <section className="storage" data-testid="storage-usage" aria-labelledby="storage-heading">
      <h3 id="storage-heading" className="storage__heading">
        {t('storage.heading')}
      </h3>
      {usage ? (
        <dl className="facts">
          <dt>{t('storage.dvr')}</dt>
          <dd data-testid="storage-dvr">{formatBytes(usage.dvrBytes)}</dd>
          <dt>{t('storage.free')}</dt>
          <dd data-testid="storage-free" className={low ? 'warn' : undefined}>
            {usage.totalBytes !== null
              ? t('storage.freeOf', {
                  free: formatBytes(usage.freeBytes),
                  total: formatBytes(usage.totalBytes),
                })
              : formatBytes(usage.freeBytes)}
          </dd>
          <dt>{t('storage.retention')}</dt>
          <dd data-testid="storage-retention">{retentionText(t, usage)}</dd>
        </dl>
      ) : (
        <p className="pane__context">
          {error ? t('storage.failed', { message: error.message }) : t('storage.loading')}
        </p>
      )}
      {low && stopGB !== null && (
        <p className="warn" role="status" data-testid="storage-low">
          {t('storage.lowDisk', { gb: stopGB })}
        </p>
      )}
      <button
        type="button"
        data-testid="prune-now"
        disabled={pruning || !connected}
        aria-busy={pruning}
        onClick={() => void prune()}
      >
        {pruning ? t('storage.pruning') : t('storage.prune')}
      </button>
    </section>
  );
}
