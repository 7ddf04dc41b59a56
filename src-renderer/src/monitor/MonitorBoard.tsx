import { useEffect, useMemo, useRef, useState } from 'react';
import { downloadText } from '../components/download';
import type { MonitorRecord } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import { formatMs, stageStats, STAGES, totals } from '../state/monitor';
import { LatencyChart, QueueChart, ThroughputChart } from './Charts';
import { FailureLine } from '../components/FailureLine';

/** Records shown in the table (the newest); the export has them all. */
const TABLE_ROWS = 50;
/** A pulse with finished work reloads the records, at most this often. */
const RELOAD_MS = 2000;

function RecordsTable(props: { records: readonly MonitorRecord[] }) {
  const t = useT();
  const rows = [...props.records].sort((a, b) => b.createdAt - a.createdAt).slice(0, TABLE_ROWS);
  return (
    <div className="monitor__table">
      <table className="lexicon" data-testid="monitor-records">
        <caption className="visually-hidden">{t('monitor.records')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('monitor.col.time')}</th>
            <th scope="col">{t('monitor.col.clip')}</th>
            <th scope="col">{t('monitor.col.engine')}</th>
            {STAGES.map((s) => (
              <th key={s} scope="col">
                {t(`monitor.stage.${s}`)}
              </th>
            ))}
            <th scope="col">{t('monitor.col.quality')}</th>
            <th scope="col">{t('monitor.col.decision')}</th>
            <th scope="col">{t('monitor.col.safety')}</th>
            <th scope="col">{t('monitor.col.prompt')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.clipId} data-testid="monitor-record" data-clip-id={r.clipId}>
              <td>{new Date(r.createdAt).toLocaleTimeString()}</td>
              <td>
                <code className="path">{r.clipId}</code>
              </td>
              <td>
                {r.engine}
                {r.encoder ? ` · ${r.encoder}` : ''}
              </td>
              {STAGES.map((s) => (
                <td key={s} className="monitor__num">
                  {formatMs(r.stages[s])}
                </td>
              ))}
              <td className="monitor__num">
                {r.quality === null ? '—' : `${Math.round(r.quality * 100)}%`}
              </td>
              <td>{t(`review.decision.${r.decision}`)}</td>
              <td>{t(`review.safety.${r.safety}`)}</td>
              <td className="monitor__prompt" title={r.prompt}>
                {r.prompt}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Live monitoring: latency per stage from the per-clip records, throughput and queue depth from
 * the engine's pulses (the last ten minutes), the newest records, and their export as CSV / JSON.
 */
export function MonitorBoard() {
  const t = useT();
  const { actions } = useEngine();
  const connected = useAppState((s) => s.connection === 'connected');
  const samples = useAppState((s) => s.monitorSamples);
  const records = useAppState((s) => s.monitorRecords);
  const selected = useAppState((s) =>
    s.selectedSessionId !== null && s.sessions[s.selectedSessionId] ? s.selectedSessionId : null,
  );
  const [scope, setScope] = useState<'session' | 'all'>('session');
  const [exportError, setExportError] = useState<string | null>(null);
  const sessionId = scope === 'session' ? selected : null;
  const lastLoad = useRef(0);
  const wanted = useRef<string | null>(sessionId);
  const pendingReload = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    wanted.current = sessionId;
    if (!connected) return;
    lastLoad.current = Date.now();
    void actions.review.loadRecords(sessionId);
  }, [actions, connected, sessionId]);

  useEffect(
    () => () => {
      if (pendingReload.current !== null) clearTimeout(pendingReload.current);
    },
    [],
  );

  // Work finished (a clip ready, an upload done): its record changed. Reloads are spaced out, and
  // one due while another was recent is kept for later, not dropped.
  const last = samples[samples.length - 1];
  const busyPulse = last !== undefined && last.ready + last.published > 0;
  useEffect(() => {
    if (!connected || !busyPulse || pendingReload.current !== null) return;
    const wait = Math.max(0, lastLoad.current + RELOAD_MS - Date.now());
    pendingReload.current = setTimeout(() => {
      pendingReload.current = null;
      lastLoad.current = Date.now();
      void actions.review.loadRecords(wanted.current);
    }, wait);
  }, [actions, connected, busyPulse, last?.at]);

  const stats = useMemo(() => stageStats(records.list), [records.list]);
  const now = last?.at ?? 0;
  const sums = totals(samples, now);

  const onExport = async (format: 'csv' | 'json') => {
    setExportError(null);
    const r = await actions.review.request('monitor.export', {
      format,
      ...(sessionId !== null ? { sessionId } : {}),
    });
    if (r.ok) downloadText(r.value.filename, r.value.mime, r.value.text);
    else setExportError(r.message);
  };

  return (
    <section className="monitor" data-testid="monitor-board" aria-label={t('monitor.heading')}>
      <div className="monitor__toolbar">
        <h3 className="rv-detail__heading">{t('monitor.heading')}</h3>
        <select
          data-testid="monitor-scope"
          aria-label={t('monitor.scope')}
          value={scope}
          onChange={(ev) => setScope(ev.target.value as 'session' | 'all')}
        >
          <option value="session" disabled={selected === null}>
            {t('monitor.scope.session')}
          </option>
          <option value="all">{t('monitor.scope.all')}</option>
        </select>
        <button
          type="button"
          data-testid="monitor-refresh"
          onClick={() => void actions.review.loadRecords(sessionId)}
        >
          {t('monitor.refresh')}
        </button>
        <button type="button" data-testid="monitor-export-csv" onClick={() => void onExport('csv')}>
          {t('monitor.exportCsv')}
        </button>
        <button
          type="button"
          data-testid="monitor-export-json"
          onClick={() => void onExport('json')}
        >
          {t('monitor.exportJson')}
        </button>
      </div>
      <p className="pane__context" data-testid="monitor-totals">
        {samples.length === 0
          ? t('monitor.noPulse')
          : t('monitor.totals', {
              ready: sums.ready,
              published: sums.published,
              minutes: Math.max(1, Math.round(sums.seconds / 60)),
              records: records.list.length,
            })}
      </p>
      {records.status === 'error' && records.error && (
        <FailureLine
          testId="monitor-error"
          text={t('monitor.recordsFailed', { message: records.error.message })}
          code={records.error.code}
        />
      )}
      {exportError !== null && (
        <p className="field-error" role="alert">
          {t('monitor.exportFailed', { message: exportError })}
        </p>
      )}
      <div className="monitor__charts">
        <LatencyChart t={t} stats={stats} />
        <ThroughputChart t={t} samples={samples} now={now} />
        <QueueChart t={t} samples={samples} now={now} />
      </div>
      {records.list.length > 0 ? (
        <RecordsTable records={records.list} />
      ) : (
        records.status === 'loaded' && <p className="pane__context">{t('monitor.noRecords')}</p>
      )}
    </section>
  );
}
