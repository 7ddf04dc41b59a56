import { useEffect, useId, useState, type FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import {
  SETTING_DEFAULTS,
  type CaptionStyle,
  type ErrorCode,
  type Highlight,
  type OutputPreset,
  type Reframe,
} from '../contract';
import { formatDuration } from '../live/format';
import { mediaUrl } from '../live/mediaUrl';
import { clipsOf } from '../state/clips';
import { useAppState, useEngine, useT } from '../state/context';
import {
  centeredBox,
  clampBox,
  fitAspect,
  fractionAspect,
  OUTPUT_ASPECT,
  toReframe,
  type Box,
} from './cropBox';
import { CropBoxEditor } from './CropBoxEditor';
import { CAPTION_STYLES, OUTPUT_PRESETS, REFRAME_MODES } from './labels';
import { FailureLine } from '../components/FailureLine';

/** The frame assumed when neither the still nor the ingest reports a size. */
const FALLBACK_FRAME = { width: 1280, height: 720 };

/**
 * Re-renders a highlight's clip with another framing (centre crop, blurred background, or a crop
 * box dragged over a still of the highlight), caption style or size. Starts from the newest
 * render's options (else the clip settings); earlier renders stay.
 */
export function RerenderDialog(props: { highlight: Highlight; onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const h = props.highlight;
  const ids = { captions: useId(), output: useId(), lock: useId() };
  const newest = useAppState((s) => clipsOf(s.clips, h.sessionId, h.id)[0] ?? null);
  const settings = useAppState((s) => s.settings);
  const transport = useAppState((s) => s.transport);
  const thumb = useAppState((s) => s.thumbnails[h.id] ?? null);
  const ingestVideo = useAppState((s) => s.ingestStatus[h.sessionId]?.video ?? null);

  const initial: { reframe: Reframe; captionStyle: CaptionStyle; output: OutputPreset } =
    newest ?? {
      reframe: settings?.['clips.reframe'] ?? SETTING_DEFAULTS['clips.reframe'],
      captionStyle: settings?.['clips.captionStyle'] ?? SETTING_DEFAULTS['clips.captionStyle'],
      output: settings?.['clips.output'] ?? SETTING_DEFAULTS['clips.output'],
    };
  const [mode, setMode] = useState<Reframe['mode']>(initial.reframe.mode);
  const [captionStyle, setCaptionStyle] = useState<CaptionStyle>(initial.captionStyle);
  const [output, setOutput] = useState<OutputPreset>(initial.output);
  const [stillSize, setStillSize] = useState<{ width: number; height: number } | null>(null);
  const frame =
    stillSize ??
    (ingestVideo && ingestVideo.width > 0 && ingestVideo.height > 0
      ? { width: ingestVideo.width, height: ingestVideo.height }
      : FALLBACK_FRAME);
  const ratio = fractionAspect(OUTPUT_ASPECT, frame.width, frame.height);
  const [locked, setLocked] = useState(true);
  // The box the operator set, or null while untouched (then it follows the frame: a centre crop).
  const [edited, setEdited] = useState<Box | null>(
    initial.reframe.mode === 'box' ? clampBox(initial.reframe) : null,
  );
  const box = edited ?? centeredBox(ratio);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; code: ErrorCode } | null>(null);

  useEffect(() => {
    if (mode === 'box') actions.loadThumbnail(h);
  }, [mode, actions, h]);

  const stillUrl =
    thumb?.status === 'ready' && thumb.path !== null ? mediaUrl(transport, thumb.path) : null;

  const toggleLock = (on: boolean) => {
    setLocked(on);
    if (on) setEdited(fitAspect(box, ratio));
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const reframe: Reframe = mode === 'box' ? toReframe(box) : { mode };
    setBusy(true);
    setProblem(null);
    const r = await actions.renderClip(h.id, { reframe, captionStyle, output }, 'inline');
    setBusy(false);
    if (r.ok) props.onClose();
    else setProblem({ message: r.message, code: r.code });
  };

  const percent = (v: number) => (v * 100).toFixed(1);
  return (
    <Dialog title={t('rerender.title')} testId="rerender-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">
        {t('rerender.intro', { time: `${formatDuration(h.start)}–${formatDuration(h.end)}` })}
      </p>
      <form className="rerender" onSubmit={(ev) => void submit(ev)} noValidate>
        <fieldset className="rerender__modes">
          <legend>{t('rerender.reframe')}</legend>
          {REFRAME_MODES.map((m) => (
            <label key={m} className="rerender__mode">
              <input
                type="radio"
                name="reframe"
                value={m}
                data-testid={`rerender-mode-${m}`}
                checked={mode === m}
                onChange={() => setMode(m)}
              />
              {t(`clips.reframe.${m}`)}
            </label>
          ))}
        </fieldset>
        {mode === 'box' && (
          <div className="rerender__box">
            {thumb?.status === 'loading' && (
              <p className="pane__context">{t('rerender.stillLoading')}</p>
            )}
            {thumb?.status === 'none' && <p className="pane__context">{t('rerender.noStill')}</p>}
            <CropBoxEditor
              stillUrl={stillUrl}
              frame={frame}
              box={box}
              ratio={locked ? ratio : null}
              onChange={setEdited}
              onStillSize={setStillSize}
            />
            <p id="crop-box-help" className="hint">
              {t('rerender.boxHelp')}
            </p>
            <div className="rerender__box-tools">
              <label htmlFor={ids.lock} className="rerender__lock">
                <input
                  id={ids.lock}
                  type="checkbox"
                  data-testid="rerender-lock"
                  checked={locked}
                  onChange={(ev) => toggleLock(ev.target.checked)}
                />
                {t('rerender.lock')}
              </label>
              <button
                type="button"
                data-testid="rerender-reset-box"
                onClick={() => setEdited(null)}
              >
                {t('rerender.resetBox')}
              </button>
              <span className="pane__context" data-testid="rerender-box-text">
                {t('rerender.boxText', {
                  x: percent(box.x),
                  y: percent(box.y),
                  w: percent(box.w),
                  h: percent(box.h),
                })}
              </span>
            </div>
          </div>
        )}
        <div className="detect-form__row">
          <label className="detect-form__field" htmlFor={ids.captions}>
            <span>{t('rerender.captions')}</span>
            <select
              id={ids.captions}
              data-testid="rerender-captions"
              value={captionStyle}
              onChange={(ev) => setCaptionStyle(ev.target.value as CaptionStyle)}
            >
              {CAPTION_STYLES.map((c) => (
                <option key={c} value={c}>
                  {t(`clips.captions.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="detect-form__field" htmlFor={ids.output}>
            <span>{t('rerender.output')}</span>
            <select
              id={ids.output}
              data-testid="rerender-output"
              value={output}
              onChange={(ev) => setOutput(ev.target.value as OutputPreset)}
            >
              {OUTPUT_PRESETS.map((o) => (
                <option key={o} value={o}>
                  {t(`clips.output.${o}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {problem && (
          <FailureLine
            testId="rerender-error"
            text={t('rerender.failed', { message: problem.message })}
            code={problem.code}
          />
        )}
        <div className="dialog__buttons">
          <button type="submit" className="primary" data-testid="rerender-submit" disabled={busy}>
            {busy ? t('rerender.submitting') : t('rerender.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
