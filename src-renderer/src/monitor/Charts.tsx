/**
 * The monitor's charts, drawn as SVG from the pure numbers in state/monitor.ts (no chart library):
 * latency per stage (median bar, p95 whisker), throughput over the last ten minutes, queue depth
 * per queue kind. Each chart has a text equivalent for screen readers.
 */
import type { MonitorSample } from '../contract';
import type { Translate } from '../i18n/language';
import {
  bucketRates,
  formatMs,
  linePath,
  niceMax,
  queueDepth,
  queueKinds,
  series,
  SAMPLE_WINDOW_MS,
  type StageStats,
} from '../state/monitor';

const W = 320;
const ROW = 18;
const LABEL_W = 92;
const VALUE_W = 64;
const WINDOW_S = SAMPLE_WINDOW_MS / 1000;
/** Line colours for queue kinds, cycled (CSS variables so both themes read them). */
const LINE_CLASSES = ['chart-line--1', 'chart-line--2', 'chart-line--3', 'chart-line--4'];

export function LatencyChart(props: { t: Translate; stats: readonly StageStats[] }) {
  const { t, stats } = props;
  const max = niceMax(Math.max(0, ...stats.map((s) => s.p95 ?? 0)), 100);
  const barW = W - LABEL_W - VALUE_W;
  const x = (ms: number) => LABEL_W + (Math.min(ms, max) / max) * barW;
  const h = stats.length * ROW + 14;
  return (
    <figure className="chart" data-testid="chart-latency">
      <figcaption className="chart__title">{t('monitor.latency.title')}</figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={t('monitor.latency.title')}>
        {stats.map((s, i) => {
          const y = i * ROW + 2;
          return (
            <g key={s.stage} data-stage={s.stage} data-count={s.count}>
              <text className="chart__label" x={0} y={y + 12}>
                {t(`monitor.stage.${s.stage}`)}
              </text>
              <rect className="chart__track" x={LABEL_W} y={y + 3} width={barW} height={ROW - 8} />
              {s.median !== null && (
                <rect
                  className={`chart__bar${s.stage === 'momentToClipMs' ? ' chart__bar--total' : ''}`}
                  x={LABEL_W}
                  y={y + 3}
                  width={Math.max(1, x(s.median) - LABEL_W)}
                  height={ROW - 8}
                />
              )}
              {s.p95 !== null && (
                <line
                  className="chart__whisker"
                  x1={x(s.p95)}
                  x2={x(s.p95)}
                  y1={y + 1}
                  y2={y + ROW - 3}
                />
              )}
              <text className="chart__value" x={W} y={y + 12} textAnchor="end">
                {formatMs(s.median)}
              </text>
            </g>
          );
        })}
        <text className="chart__axis" x={LABEL_W} y={h - 1}>
          0
        </text>
        <text className="chart__axis" x={LABEL_W + barW} y={h - 1} textAnchor="end">
          {formatMs(max)}
        </text>
      </svg>
      <table className="visually-hidden">
        <caption>{t('monitor.latency.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('monitor.col.stage')}</th>
            <th scope="col">{t('monitor.col.median')}</th>
            <th scope="col">p95</th>
            <th scope="col">{t('monitor.col.count')}</th>
          </tr>
        </thead>
        <tbody>
          {stats.map((s) => (
            <tr key={s.stage}>
              <th scope="row">{t(`monitor.stage.${s.stage}`)}</th>
              <td>{formatMs(s.median)}</td>
              <td>{formatMs(s.p95)}</td>
              <td>{s.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="chart__legend">{t('monitor.latency.legend')}</p>
    </figure>
  );
}

const PLOT_H = 70;
const PLOT_LEFT = 28;
const PLOT_W = W - PLOT_LEFT;

function TimeAxis(props: { t: Translate }) {
  return (
    <>
      <text className="chart__axis" x={PLOT_LEFT} y={PLOT_H + 12}>
        {props.t('monitor.minutesAgo', { n: WINDOW_S / 60 })}
      </text>
      <text className="chart__axis" x={W} y={PLOT_H + 12} textAnchor="end">
        {props.t('monitor.now')}
      </text>
    </>
  );
}

function YAxis(props: { max: number; unit?: string }) {
  return (
    <>
      <line className="chart__grid" x1={PLOT_LEFT} x2={W} y1={0.5} y2={0.5} />
      <line className="chart__grid" x1={PLOT_LEFT} x2={W} y1={PLOT_H} y2={PLOT_H} />
      <text className="chart__axis" x={PLOT_LEFT - 3} y={9} textAnchor="end">
        {props.max}
        {props.unit ?? ''}
      </text>
      <text className="chart__axis" x={PLOT_LEFT - 3} y={PLOT_H} textAnchor="end">
        0
      </text>
    </>
  );
}

export function ThroughputChart(props: {
  t: Translate;
  samples: readonly MonitorSample[];
  now: number;
}) {
  const { t, samples, now } = props;
  const ready = bucketRates(samples, now, (s) => s.ready);
  const published = bucketRates(samples, now, (s) => s.published);
  const top = Math.max(0, ...ready.map((p) => p.v), ...published.map((p) => p.v));
  const max = top <= 0.1 ? 0.1 : top <= 0.5 ? 0.5 : niceMax(top);
  const box = { w: PLOT_W, h: PLOT_H, windowS: WINDOW_S, max };
  return (
    <figure className="chart" data-testid="chart-throughput">
      <figcaption className="chart__title">{t('monitor.throughput.title')}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${PLOT_H + 14}`}
        role="img"
        aria-label={t('monitor.throughput.title')}
      >
        <YAxis max={max} unit="/s" />
        <g transform={`translate(${PLOT_LEFT} 0)`}>
          <path className="chart-line chart-line--1" d={linePath(ready, box)} data-series="ready" />
          <path
            className="chart-line chart-line--2"
            d={linePath(published, box)}
            data-series="published"
          />
        </g>
        <TimeAxis t={t} />
      </svg>
      <p className="chart__legend">
        <span className="chart-key chart-key--1" /> {t('monitor.throughput.ready')}{' '}
        <span className="chart-key chart-key--2" /> {t('monitor.throughput.published')}
      </p>
    </figure>
  );
}

export function QueueChart(props: {
  t: Translate;
  samples: readonly MonitorSample[];
  now: number;
}) {
  const { t, samples, now } = props;
  const kinds = queueKinds(samples);
  const lines = kinds.map((kind) => ({
    kind,
    points: series(samples, now, (s) => queueDepth(s, kind)),
  }));
  const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.points.map((p) => p.v))));
  const box = { w: PLOT_W, h: PLOT_H, windowS: WINDOW_S, max };
  const last = samples[samples.length - 1];
  return (
    <figure className="chart" data-testid="chart-queues">
      <figcaption className="chart__title">{t('monitor.queues.title')}</figcaption>
      <svg viewBox={`0 0 ${W} ${PLOT_H + 14}`} role="img" aria-label={t('monitor.queues.title')}>
        <YAxis max={max} />
        <g transform={`translate(${PLOT_LEFT} 0)`}>
          {lines.map((l, i) => (
            <path
              key={l.kind}
              className={`chart-line ${LINE_CLASSES[i % LINE_CLASSES.length] ?? ''}`}
              d={linePath(l.points, box)}
              data-series={l.kind}
            />
          ))}
        </g>
        <TimeAxis t={t} />
      </svg>
      <p className="chart__legend" data-testid="queue-legend">
        {kinds.length === 0
          ? t('monitor.queues.none')
          : kinds.map((kind, i) => {
              const q =
                last && Object.prototype.hasOwnProperty.call(last.queues, kind)
                  ? last.queues[kind]
                  : undefined;
              return (
                <span key={kind} className="chart__legend-item" data-kind={kind}>
                  <span className={`chart-key chart-key--${(i % LINE_CLASSES.length) + 1}`} />{' '}
                  {t('monitor.queues.item', {
                    kind,
                    queued: q?.queued ?? 0,
                    running: q?.running ?? 0,
                  })}
                </span>
              );
            })}
      </p>
    </figure>
  );
}
