import { useEffect, useId, useState } from 'react';
import {
  ExecutionProvider,
  type GenerationStatus,
  type SettingChange,
  type Settings,
} from '../contract';
import { useAppState, useEngine, useT } from '../state/context';

export const MAX_IDLE_UNLOAD_S = 86_400;

/** The idle-unload field as typed: whole seconds from 0 to MAX_IDLE_UNLOAD_S, or null. */
export function parseIdleUnload(text: string): number | null {
  const s = text.trim();
  if (!/^\d{1,6}$/.test(s)) return null;
  const n = Number(s);
  return n <= MAX_IDLE_UNLOAD_S ? n : null;
}

function WorkerFacts(props: { status: GenerationStatus }) {
  const t = useT();
  const w = props.status.worker;
  return (
    <dl className="facts" data-testid="generation-worker" data-state={w.state}>
      <dt>{t('generate.worker.state')}</dt>
      <dd data-testid="generation-worker-state">{t(`generate.worker.state.${w.state}`)}</dd>
      <dt>{t('generate.worker.provider')}</dt>
      <dd data-testid="generation-worker-provider" data-provider={w.provider ?? ''}>
        {w.provider ?? t('generate.worker.providerNone')}
        {w.providerReason !== null && (
          <span className="pane__context" data-testid="generation-worker-reason">
            {' '}
            — {w.providerReason}
          </span>
        )}
      </dd>
      <dt>{t('generate.worker.coldStart')}</dt>
      <dd data-testid="generation-worker-cold-start">
        {w.coldStartMs !== null
          ? t('generate.worker.coldStartValue', { ms: Math.round(w.coldStartMs) })
          : t('generate.worker.notMeasured')}
      </dd>
      <dt>{t('generate.worker.model')}</dt>
      <dd data-testid="generation-worker-model">{w.model ?? t('generate.worker.noModel')}</dd>
      <dt>{t('generate.worker.idleUnload')}</dt>
      <dd data-testid="generation-worker-idle">
        {w.idleUnloadS > 0
          ? t('generate.worker.idleUnloadValue', { s: w.idleUnloadS })
          : t('generate.worker.idleUnloadNever')}
      </dd>
    </dl>
  );
}

function ModelList(props: { models: GenerationStatus['models'] }) {
  const t = useT();
  if (props.models.length === 0) {
    return (
      <p className="warn" data-testid="generation-models-empty">
        {t('generate.models.none')}
      </p>
    );
  }
  return (
    <ul className="generation-models" aria-label={t('generate.models')}>
      {props.models.map((m) => (
        <li
          key={m.id}
          data-testid="generation-model"
          data-model-id={m.id}
          data-ok={m.ok ? 'true' : 'false'}
        >
          <code>{m.id}</code>{' '}
          <span className={m.ok ? 'ok' : 'warn'}>
            {m.ok
              ? t('generate.models.ok')
              : m.reason !== null
                ? t('generate.models.bad', { reason: m.reason })
                : t('generate.models.badNoReason')}
          </span>{' '}
          <code className="path pane__context">{m.dir}</code>
        </li>
      ))}
    </ul>
  );
}

/** The idle-unload seconds, saved on blur or Enter; keyed by the stored value by its parent. */
function IdleField(props: { stored: number; onSave: (value: number) => void }) {
  const t = useT();
  const id = useId();
  const [idle, setIdle] = useState(String(props.stored));
  const value = parseIdleUnload(idle);
  const commit = () => {
    if (value !== null && value !== props.stored) props.onSave(value);
  };
  return (
    <label className="detect-form__field" htmlFor={id}>
      <span>{t('generate.settings.idleUnload')}</span>
      <input
        id={id}
        data-testid="generation-idle-setting"
        inputMode="numeric"
        value={idle}
        aria-invalid={value === null}
        onChange={(ev) => setIdle(ev.target.value)}
        onBlur={commit}
        onKeyDown={(ev) => {
          if (ev.key === 'Enter') commit();
          if (ev.key === 'Escape') setIdle(String(props.stored));
        }}
      />
      {value === null && (
        <span className="field-error" data-testid="generation-idle-invalid" role="alert">
          {t('generate.settings.idleInvalid', { max: MAX_IDLE_UNLOAD_S })}
        </span>
      )}
    </label>
  );
}

/** Provider, model and idle unload: the worker's settings (saved at once; the status follows). */
function WorkerSettings(props: { settings: Settings; models: GenerationStatus['models'] | null }) {
  const t = useT();
  const { actions } = useEngine();
  const ids = { provider: useId(), model: useId() };
  const { settings } = props;
  const stored = settings['generate.idleUnloadS'];
  const chosenModel = settings['generate.model'];
  const modelIds = (props.models ?? []).filter((m) => m.ok).map((m) => m.id);
  if (chosenModel !== null && !modelIds.includes(chosenModel)) modelIds.push(chosenModel);

  const save = (change: SettingChange) =>
    void actions.changeSetting(change).then(() => actions.generate.loadStatus());

  return (
    <div className="detect-form__row" data-testid="generation-settings">
      <label className="detect-form__field" htmlFor={ids.provider}>
        <span>{t('generate.settings.provider')}</span>
        <select
          id={ids.provider}
          data-testid="generation-provider-setting"
          value={settings['generate.provider']}
          onChange={(ev) =>
            save({ key: 'generate.provider', value: ExecutionProvider.parse(ev.target.value) })
          }
        >
          {ExecutionProvider.options.map((p) => (
            <option key={p} value={p}>
              {t(`generate.settings.provider.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="detect-form__field" htmlFor={ids.model}>
        <span>{t('generate.settings.model')}</span>
        <select
          id={ids.model}
          data-testid="generation-model-setting"
          value={chosenModel ?? ''}
          onChange={(ev) =>
            save({ key: 'generate.model', value: ev.target.value === '' ? null : ev.target.value })
          }
        >
          <option value="">{t('generate.settings.modelDefault')}</option>
          {modelIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <IdleField
        key={`idle:${stored}`}
        stored={stored}
        onSave={(value) => save({ key: 'generate.idleUnloadS', value })}
      />
    </div>
  );
}

/**
 * Monitor → Video generation: the worker (state, provider and why, cold start, model, idle
 * unload), the installed text-to-video models, and the worker's settings. Read when shown and on
 * a reconnect; generation events and setting changes read it again.
 */
export function GenerationWorker() {
  const t = useT();
  const { actions } = useEngine();
  const connected = useAppState((s) => s.connection === 'connected');
  const status = useAppState((s) => s.generationStatus);
  const error = useAppState((s) => s.generationStatusError);
  const settings = useAppState((s) => s.settings);

  useEffect(() => {
    if (connected) void actions.generate.loadStatus();
  }, [connected, actions]);

  return (
    <section
      className="storage generation-status"
      data-testid="generation-status"
      aria-labelledby="generation-status-heading"
    >
      <h3 id="generation-status-heading" className="storage__heading">
        {t('generate.worker.heading')}{' '}
        <button
          type="button"
          data-testid="generation-status-refresh"
          disabled={!connected}
          onClick={() => void actions.generate.loadStatus()}
        >
          {t('generate.refresh')}
        </button>
      </h3>
      {status ? (
        <>
          <WorkerFacts status={status} />
          <h4 className="generation-models__heading">{t('generate.models')}</h4>
          <ModelList models={status.models} />
        </>
      ) : (
        <p className="pane__context" data-testid="generation-status-missing">
          {error
            ? t('generate.statusFailed', { message: error.message })
            : t('generate.statusLoading')}
        </p>
      )}
      {status && error && (
        <p className="field-error" data-testid="generation-status-error" role="alert">
          {t('generate.statusFailed', { message: error.message })}
        </p>
      )}
      {settings && <WorkerSettings settings={settings} models={status?.models ?? null} />}
    </section>
  );
}
