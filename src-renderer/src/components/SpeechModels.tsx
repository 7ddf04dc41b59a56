import { useId, useState } from 'react';
import type { AsrStatus, ModelInfo } from '../contract';
import type { Translate } from '../i18n/language';
import { formatBytes } from '../live/format';
import { useAppState, useEngine, useLanguage, useT } from '../state/context';
import { progressPercent, type PullState } from '../state/models';

type Mirror = 'global' | 'cn';

function stageText(t: Translate, stage: AsrStatus['keywordSpotting']): string {
  if (stage.enabled) return t('speech.on');
  return stage.reason ? t('speech.offReason', { reason: stage.reason }) : t('speech.off');
}

function SpeechStatus() {
  const t = useT();
  const status = useAppState((s) => s.asrStatus);
  const error = useAppState((s) => s.asrStatusError);
  if (!status) {
    return (
      <p className="pane__context" data-testid="asr-status-missing">
        {error ? t('speech.statusFailed', { message: error.message }) : t('speech.statusLoading')}
      </p>
    );
  }
  return (
    <dl className="facts" data-testid="asr-status">
      <dt>{t('speech.kws')}</dt>
      <dd
        data-testid="asr-kws"
        data-enabled={status.keywordSpotting.enabled ? 'true' : 'false'}
        className={status.keywordSpotting.enabled ? 'ok' : 'warn'}
      >
        {stageText(t, status.keywordSpotting)}
      </dd>
      <dt>{t('speech.recognizer')}</dt>
      <dd
        data-testid="asr-recognizer"
        data-enabled={status.recognizer.enabled ? 'true' : 'false'}
        className={status.recognizer.enabled ? 'ok' : 'warn'}
      >
        {stageText(t, status.recognizer)}
      </dd>
    </dl>
  );
}

function PullProgress(props: { t: Translate; name: string; pull: PullState }) {
  const { t, pull } = props;
  const percent = progressPercent(pull);
  const text =
    pull.file === null
      ? t('models.progressStarting')
      : percent !== null
        ? t('models.progress', { file: pull.file, percent })
        : t('models.progressSize', { file: pull.file, received: formatBytes(pull.received) });
  return (
    <div className="model__progress" data-testid="model-progress" aria-live="polite">
      <progress
        max={100}
        {...(percent !== null ? { value: percent } : {})}
        aria-label={t('models.progressLabel', { name: props.name })}
      />
      <span className="model__progress-text" data-testid="model-progress-text">
        {text}
      </span>
    </div>
  );
}

/** Download (with mirror) and import-from-folder for a model that is not installed. */
function ModelActions(props: { model: ModelInfo }) {
  const t = useT();
  const language = useLanguage();
  const { actions, store } = useEngine();
  const { model } = props;
  const connected = useAppState((s) => s.connection === 'connected');
  const pull = useAppState((s) => s.pulls[model.id] ?? null);
  const [mirror, setMirror] = useState<Mirror>(language === 'zh-CN' ? 'cn' : 'global');
  const [dir, setDir] = useState('');
  const [importing, setImporting] = useState(false);
  const [importError, setImportError] = useState<string | null>(null);
  const ids = useId();

  const running = pull?.running === true;
  const busy = running || importing;

  const installed = () =>
    store.getState().pushNotice({
      kind: 'info',
      action: null,
      message: '',
      messageKey: 'models.installed',
      params: { name: model.name },
      code: null,
    });

  const download = async () => {
    setImportError(null);
    const r = await actions.pullModel(model.id, mirror);
    if (r.ok) installed();
  };

  const doImport = async () => {
    if (dir.trim() === '') return;
    setImporting(true);
    setImportError(null);
    const r = await actions.importModel(model.id, dir);
    setImporting(false);
    if (r.ok) installed();
    else setImportError(r.message);
  };

  return (
    <div className="model__actions">
      <div className="model__download">
        <label className="model__label" htmlFor={`${ids}-mirror`}>
          {t('models.mirror')}
        </label>
        <select
          id={`${ids}-mirror`}
          data-testid="model-mirror"
          value={mirror}
          disabled={busy}
          onChange={(ev) => setMirror(ev.target.value === 'cn' ? 'cn' : 'global')}
        >
          <option value="global">{t('models.mirror.global')}</option>
          <option value="cn">{t('models.mirror.cn')}</option>
        </select>
        <button
          type="button"
          data-testid="model-download"
          disabled={busy || !connected}
          aria-busy={running}
          onClick={() => void download()}
        >
          {running ? t('models.downloading') : t('models.download')}
        </button>
      </div>
      {running && pull && <PullProgress t={t} name={model.name} pull={pull} />}
      <form
        className="model__import"
        onSubmit={(ev) => {
          ev.preventDefault();
          void doImport();
        }}
      >
        <label className="model__label" htmlFor={`${ids}-dir`}>
          {t('models.importOpen')}
        </label>
        <input
          id={`${ids}-dir`}
          type="text"
          data-testid="model-import-dir"
          value={dir}
          placeholder={t('models.importPlaceholder')}
          aria-label={t('models.importDir')}
          title={t('models.importHint')}
          spellCheck={false}
          autoComplete="off"
          disabled={busy}
          onChange={(ev) => setDir(ev.target.value)}
        />
        <button
          type="submit"
          data-testid="model-import"
          disabled={busy || !connected || dir.trim() === ''}
          aria-busy={importing}
        >
          {importing ? t('models.importing') : t('models.import')}
        </button>
      </form>
      {pull?.error && (
        <p className="field-error" data-testid="model-error" data-action="pull" role="alert">
          {t('models.pullFailed', { message: pull.error })}
        </p>
      )}
      {importError !== null && (
        <p className="field-error" data-testid="model-error" data-action="import" role="alert">
          {t('models.importFailed', { message: importError })}
        </p>
      )}
    </div>
  );
}

const COLUMNS = 6;

function ModelRow(props: { model: ModelInfo }) {
  const t = useT();
  const { model } = props;
  const installed = model.state === 'installed';
  const hasDetails = model.caveat !== null || !installed;
  return (
    <tbody
      className="model"
      data-testid="model-row"
      data-model-id={model.id}
      data-state={model.state}
    >
      <tr>
        <td className="model__name">{model.name}</td>
        <td>{t(`models.kind.${model.kind}`)}</td>
        <td>{model.languages.join(', ')}</td>
        <td className="model__size">{formatBytes(model.bytes)}</td>
        <td>
          <span
            className={`state-badge model-badge--${model.state}`}
            data-testid="model-state"
            data-state={model.state}
          >
            {t(`models.state.${model.state}`)}
          </span>
        </td>
        <td>{model.license}</td>
      </tr>
      {hasDetails && (
        <tr className="model__details">
          <td colSpan={COLUMNS}>
            {model.caveat !== null && (
              <p className="model__caveat warn" data-testid="model-caveat">
                {t('models.caveat', { caveat: model.caveat })}
              </p>
            )}
            {!installed && model.problem !== null && (
              <p className="model__problem" data-testid="model-problem">
                {t('models.problem', { problem: model.problem })}
              </p>
            )}
            {!installed && <ModelActions model={model} />}
          </td>
        </tr>
      )}
    </tbody>
  );
}

/** Monitor → Speech & models: what the speech stages can do, and the models behind them. */
export function SpeechModels() {
  const t = useT();
  const models = useAppState((s) => s.models);
  const error = useAppState((s) => s.modelsError);
  return (
    <section
      className="storage speech"
      data-testid="models-section"
      aria-labelledby="speech-heading"
    >
      <h3 id="speech-heading" className="storage__heading">
        {t('speech.heading')}
      </h3>
      <SpeechStatus />
      {models === null ? (
        <p className="pane__context" data-testid="models-missing">
          {error ? t('models.failed', { message: error.message }) : t('models.loading')}
        </p>
      ) : models.length === 0 ? (
        <p className="pane__context" data-testid="models-empty">
          {t('models.empty')}
        </p>
      ) : (
        <div className="models__scroll">
          <table className="models" data-testid="models-table">
            <caption className="visually-hidden">{t('models.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('models.col.name')}</th>
                <th scope="col">{t('models.col.kind')}</th>
                <th scope="col">{t('models.col.languages')}</th>
                <th scope="col">{t('models.col.size')}</th>
                <th scope="col">{t('models.col.state')}</th>
                <th scope="col">{t('models.col.license')}</th>
              </tr>
            </thead>
            {models.map((m) => (
              <ModelRow key={m.id} model={m} />
            ))}
          </table>
        </div>
      )}
    </section>
  );
}
