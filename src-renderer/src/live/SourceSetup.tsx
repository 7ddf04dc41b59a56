import { useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { ErrorCode, IngestSourceInput } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import { CopyField } from './CopyField';
import { FailureLine } from '../components/FailureLine';

export const SOURCE_TABS = ['rtmp', 'srt', 'url', 'file'] as const;
export type SourceTab = (typeof SOURCE_TABS)[number];

interface PanelProps {
  title: string;
  onStarted: () => void;
}

interface Failure {
  message: string;
  code: ErrorCode;
}

/** Starting a source: the shared title, the busy state and the inline error. */
function useStarter(onStarted: () => void) {
  const { actions } = useEngine();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Failure | null>(null);
  const start = async (
    source: IngestSourceInput,
    title: string,
    transcript?: string,
  ): Promise<boolean> => {
    if (busy) return false;
    setBusy(true);
    setError(null);
    const r = await actions.startIngest(source, title, transcript);
    setBusy(false);
    if (r.ok) onStarted();
    else setError({ message: r.message, code: r.code });
    return r.ok;
  };
  return { busy, error, start, clearError: () => setError(null) };
}

function StartError(props: { error: Failure | null; id: string }) {
  const t = useT();
  if (!props.error) return null;
  return (
    <FailureLine
      id={props.id}
      testId="ingest-error"
      text={t('source.startFailed', { message: props.error.message })}
      code={props.error.code}
    />
  );
}

/** An optional timed-text file whose cues become the session's transcript. */
function TranscriptPathField(props: { value: string; onChange: (value: string) => void }) {
  const t = useT();
  const id = useId();
  const hintId = useId();
  return (
    <div className="source__transcript">
      <label htmlFor={id}>{t('source.transcript.label')}</label>
      <input
        id={id}
        data-testid="transcript-path"
        type="text"
        value={props.value}
        placeholder={t('source.transcript.placeholder')}
        spellCheck={false}
        autoComplete="off"
        aria-describedby={hintId}
        onChange={(ev) => props.onChange(ev.target.value)}
      />
      <p id={hintId} className="hint">
        {t('source.transcript.hint')}
      </p>
    </div>
  );
}

function Listening(props: { listening: boolean; error: string | null; testId: string }) {
  const t = useT();
  if (props.error !== null) {
    return (
      <p className="listen listen--error" data-testid={props.testId} data-listening="false">
        {t('source.listenError', { message: props.error })}
      </p>
    );
  }
  return (
    <p
      className={`listen ${props.listening ? 'listen--on' : 'listen--off'}`}
      data-testid={props.testId}
      data-listening={props.listening ? 'true' : 'false'}
    >
      <span className="listen__dot" aria-hidden="true" />
      {props.listening ? t('source.listening') : t('source.notListening')}
    </p>
  );
}

function EndpointsState(props: { children: ReactNode }) {
  const t = useT();
  const { actions } = useEngine();
  const endpoints = useAppState((s) => s.endpoints);
  const error = useAppState((s) => s.endpointsError);
  if (endpoints) return <>{props.children}</>;
  if (error) {
    return (
      <div className="field-error" data-testid="endpoints-error" role="alert">
        {t('source.endpointsFailed', { message: error.message })}{' '}
        <button type="button" onClick={() => void actions.loadEndpoints()}>
          {t('source.retry')}
        </button>
      </div>
    );
  }
  return <p className="pane__context">{t('source.endpointsLoading')}</p>;
}

function RotateKey() {
  const t = useT();
  const { actions, store } = useEngine();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const rotate = async () => {
    setBusy(true);
    setError(null);
    const r = await actions.rotateKey();
    setBusy(false);
    setConfirming(false);
    if (r.ok) {
      store.getState().pushNotice({
        kind: 'info',
        action: null,
        message: '',
        messageKey: 'source.rotated',
        params: {},
        code: null,
      });
    } else setError(r.message);
  };
  return (
    <div className="rotate">
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-labelledby="rotate-confirm-text">
          <p id="rotate-confirm-text">{t('source.rotateConfirm')}</p>
          <div className="confirm__buttons">
            <button
              type="button"
              className="danger"
              data-testid="rotate-key-confirm"
              disabled={busy}
              onClick={() => void rotate()}
            >
              {t('source.rotateYes')}
            </button>
            <button
              type="button"
              data-testid="rotate-key-cancel"
              disabled={busy}
              onClick={() => setConfirming(false)}
            >
              {t('source.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" data-testid="rotate-key" onClick={() => setConfirming(true)}>
          {t('source.rotate')}
        </button>
      )}
      {error !== null && (
        <p className="field-error" role="alert">
          {t('source.rotateFailed', { message: error })}
        </p>
      )}
    </div>
  );
}

function PushStart(props: PanelProps & { kind: 'rtmp' | 'srt' }) {
  const t = useT();
  const errorId = useId();
  const { busy, error, start } = useStarter(props.onStarted);
  return (
    <>
      <button
        type="button"
        className="primary"
        data-testid={`${props.kind}-start`}
        disabled={busy}
        aria-busy={busy}
        aria-describedby={error ? errorId : undefined}
        onClick={() => void start({ kind: props.kind }, props.title)}
      >
        {busy ? t('source.starting') : t('source.push.start')}
      </button>
      <StartError error={error} id={errorId} />
    </>
  );
}

function RtmpPanel(props: PanelProps) {
  const t = useT();
  const rtmp = useAppState((s) => s.endpoints?.rtmp ?? null);
  return (
    <EndpointsState>
      {rtmp && (
        <>
          <CopyField
            label={t('source.rtmp.server')}
            value={rtmp.serverUrl}
            testId="rtmp-server-url"
            copyTestId="copy-rtmp-server"
          />
          <CopyField
            label={t('source.rtmp.key')}
            value={rtmp.streamKey}
            testId="rtmp-stream-key"
            copyTestId="copy-rtmp-key"
            secret
            toggleTestId="show-rtmp-key"
          />
          <div className="source__row">
            <Listening listening={rtmp.listening} error={rtmp.error} testId="rtmp-listening" />
            <RotateKey />
          </div>
          <p className="hint">{t('source.rtmp.hint')}</p>
          <PushStart kind="rtmp" {...props} />
        </>
      )}
    </EndpointsState>
  );
}

function SrtPanel(props: PanelProps) {
  const t = useT();
  const srt = useAppState((s) => s.endpoints?.srt ?? null);
  return (
    <EndpointsState>
      {srt && (
        <>
          <CopyField
            label={t('source.srt.url')}
            value={srt.url}
            testId="srt-url"
            copyTestId="copy-srt-url"
            secret
            toggleTestId="show-srt-url"
          />
          <div className="source__row">
            <Listening listening={srt.listening} error={srt.error} testId="srt-listening" />
            <RotateKey />
          </div>
          <p className="hint">{t('source.srt.hint')}</p>
          <PushStart kind="srt" {...props} />
        </>
      )}
    </EndpointsState>
  );
}

function UrlPanel(props: PanelProps) {
  const t = useT();
  const inputId = useId();
  const errorId = useId();
  const [url, setUrl] = useState('');
  const [transcript, setTranscript] = useState('');
  const { busy, error, start, clearError } = useStarter(props.onStarted);
  const onSubmit = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    if (await start({ kind: 'url', url }, props.title, transcript)) {
      setUrl('');
      setTranscript('');
    }
  };
  return (
    <form className="source__form" onSubmit={(ev) => void onSubmit(ev)} noValidate>
      <label htmlFor={inputId}>{t('source.url.label')}</label>
      <div className="source__row">
        <input
          id={inputId}
          data-testid="url-input"
          type="url"
          value={url}
          placeholder="https://…/live.m3u8, rtmp://…, srt://…"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error !== null}
          aria-describedby={error ? errorId : undefined}
          onChange={(ev) => {
            setUrl(ev.target.value);
            if (error) clearError();
          }}
        />
        <button
          type="submit"
          className="primary"
          data-testid="url-start"
          disabled={busy}
          aria-busy={busy}
        >
          {busy ? t('source.starting') : t('source.start')}
        </button>
      </div>
      <p className="hint">{t('source.url.hint')}</p>
      <TranscriptPathField
        value={transcript}
        onChange={(v) => {
          setTranscript(v);
          if (error) clearError();
        }}
      />
      <StartError error={error} id={errorId} />
    </form>
  );
}

function FilePanel(props: PanelProps) {
  const t = useT();
  const inputId = useId();
  const errorId = useId();
  const [path, setPath] = useState('');
  const [realtime, setRealtime] = useState(true);
  const [transcript, setTranscript] = useState('');
  const { busy, error, start, clearError } = useStarter(props.onStarted);
  const onSubmit = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    if (await start({ kind: 'file', path: path.trim(), realtime }, props.title, transcript)) {
      setPath('');
      setTranscript('');
    }
  };
  return (
    <form className="source__form" onSubmit={(ev) => void onSubmit(ev)} noValidate>
      <label htmlFor={inputId}>{t('source.file.label')}</label>
      <div className="source__row">
        <input
          id={inputId}
          data-testid="file-input"
          type="text"
          value={path}
          placeholder={t('source.file.placeholder')}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error !== null}
          aria-describedby={error ? errorId : undefined}
          onChange={(ev) => {
            setPath(ev.target.value);
            if (error) clearError();
          }}
        />
        <button
          type="submit"
          className="primary"
          data-testid="file-start"
          disabled={busy}
          aria-busy={busy}
        >
          {busy ? t('source.starting') : t('source.start')}
        </button>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="file-realtime"
          checked={realtime}
          onChange={(ev) => setRealtime(ev.target.checked)}
        />
        {t('source.file.realtime')}
      </label>
      <p className="hint">{t('source.file.hint')}</p>
      <TranscriptPathField
        value={transcript}
        onChange={(v) => {
          setTranscript(v);
          if (error) clearError();
        }}
      />
      <StartError error={error} id={errorId} />
    </form>
  );
}

/** Where the stream comes from: OBS push (RTMP / SRT), a pull URL or a local file. */
export function SourceSetup() {
  const t = useT();
  const baseId = useId();
  const titleId = useId();
  const [tab, setTab] = useState<SourceTab>('rtmp');
  const [title, setTitle] = useState('');
  const tabRefs = useRef<Partial<Record<SourceTab, HTMLButtonElement | null>>>({});
  const clearTitle = () => setTitle('');
  const tabId = (k: SourceTab) => `${baseId}-tab-${k}`;
  const panelId = `${baseId}-panel`;

  const onTabKey = (ev: KeyboardEvent<HTMLDivElement>) => {
    const i = SOURCE_TABS.indexOf(tab);
    let next: SourceTab | undefined;
    if (ev.key === 'ArrowRight') next = SOURCE_TABS[(i + 1) % SOURCE_TABS.length];
    else if (ev.key === 'ArrowLeft')
      next = SOURCE_TABS[(i - 1 + SOURCE_TABS.length) % SOURCE_TABS.length];
    else if (ev.key === 'Home') next = SOURCE_TABS[0];
    else if (ev.key === 'End') next = SOURCE_TABS[SOURCE_TABS.length - 1];
    if (!next) return;
    ev.preventDefault();
    setTab(next);
    tabRefs.current[next]?.focus();
  };

  return (
    <section className="source" aria-labelledby={`${baseId}-heading`} data-testid="source-setup">
      <h3 id={`${baseId}-heading`} className="source__heading">
        {t('source.heading')}
      </h3>
      <div
        className="tabs"
        role="tablist"
        aria-label={t('source.tabs')}
        data-testid="source-tabs"
        onKeyDown={onTabKey}
      >
        {SOURCE_TABS.map((k) => (
          <button
            key={k}
            ref={(el) => {
              tabRefs.current[k] = el;
            }}
            id={tabId(k)}
            type="button"
            role="tab"
            className="tabs__tab"
            data-testid={`source-tab-${k}`}
            aria-selected={tab === k}
            aria-controls={panelId}
            tabIndex={tab === k ? 0 : -1}
            onClick={() => setTab(k)}
          >
            {t(`source.tab.${k}`)}
          </button>
        ))}
      </div>
      <div
        id={panelId}
        className="source__panel"
        role="tabpanel"
        aria-labelledby={tabId(tab)}
        data-tab={tab}
      >
        <div className="source__title">
          <label htmlFor={titleId}>{t('source.title')}</label>
          <input
            id={titleId}
            data-testid="ingest-title"
            type="text"
            value={title}
            maxLength={200}
            placeholder={t('sessions.newPlaceholder')}
            onChange={(ev) => setTitle(ev.target.value)}
          />
        </div>
        {tab === 'rtmp' && <RtmpPanel title={title} onStarted={clearTitle} />}
        {tab === 'srt' && <SrtPanel title={title} onStarted={clearTitle} />}
        {tab === 'url' && <UrlPanel title={title} onStarted={clearTitle} />}
        {tab === 'file' && <FilePanel title={title} onStarted={clearTitle} />}
      </div>
    </section>
  );
}
