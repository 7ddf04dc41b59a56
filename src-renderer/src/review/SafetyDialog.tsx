import { memo, useCallback, useEffect, useState } from 'react';
import { Dialog } from '../components/Dialog';
import type { ErrorCode, MethodOutput, SafetyLexicon } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import { splitBySpans } from '../state/review';
import {
  blankSafetyEntry,
  fromSafetyDraft,
  SAFETY_CATEGORIES,
  safetyMatches,
  toSafetyDraft,
  type SafetyCategory,
  type SafetyDraft,
} from './safetyDraft';
import { FailureLine } from '../components/FailureLine';

/** Rows rendered at most (the filter finds the others); the row an error names is always shown. */
const MAX_ROWS = 300;

type Problem = { message: string; code: ErrorCode | null; row: number | null };
type TestResult = MethodOutput<'safety.test'> & { text: string };

const SafetyRow = memo(function SafetyRow(props: {
  row: SafetyDraft;
  error: string | null;
  onChange: (key: number, patch: Partial<SafetyDraft>) => void;
  onRemove: (key: number) => void;
}) {
  const t = useT();
  const { row: r, error, onChange, onRemove } = props;
  return (
    <>
      <tr data-testid="safety-row" data-entry-id={r.id} data-error={error ? 'true' : 'false'}>
        <td>
          <input
            className="lexicon__id"
            data-testid="safety-id"
            aria-label={t('safety.col.id')}
            value={r.id}
            spellCheck={false}
            onChange={(ev) => onChange(r.key, { id: ev.target.value })}
          />
        </td>
        <td>
          <input
            data-testid="safety-term"
            aria-label={t('safety.col.term')}
            value={r.term}
            maxLength={100}
            spellCheck={false}
            onChange={(ev) => onChange(r.key, { term: ev.target.value })}
          />
        </td>
        <td>
          <select
            data-testid="safety-category"
            aria-label={t('safety.col.category')}
            value={r.category}
            onChange={(ev) => onChange(r.key, { category: ev.target.value as SafetyCategory })}
          >
            {SAFETY_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`safety.category.${c}`)}
              </option>
            ))}
          </select>
        </td>
        <td>
          <select
            data-testid="safety-severity"
            aria-label={t('safety.col.severity')}
            value={r.severity}
            onChange={(ev) =>
              onChange(r.key, { severity: ev.target.value as SafetyDraft['severity'] })
            }
          >
            <option value="block">{t('safety.severity.block')}</option>
            <option value="warn">{t('safety.severity.warn')}</option>
          </select>
        </td>
        <td>
          <select
            data-testid="safety-match"
            aria-label={t('safety.col.match')}
            value={r.match}
            onChange={(ev) => onChange(r.key, { match: ev.target.value as SafetyDraft['match'] })}
          >
            <option value="word">{t('safety.match.word')}</option>
            <option value="prefix">{t('safety.match.prefix')}</option>
          </select>
        </td>
        <td>
          <input
            data-testid="safety-allow"
            aria-label={t('safety.col.allow')}
            placeholder={t('safety.allowPlaceholder')}
            value={r.allow}
            onChange={(ev) => onChange(r.key, { allow: ev.target.value })}
          />
        </td>
        <td>
          <button
            type="button"
            className="icon-button"
            aria-label={t('safety.remove', { term: r.term })}
            title={t('safety.remove', { term: r.term })}
            onClick={() => onRemove(r.key)}
          >
            ×
          </button>
        </td>
      </tr>
      {error && (
        <tr className="lexicon__error-row">
          <td colSpan={7}>
            <p className="field-error" role="alert" data-testid="safety-row-error">
              {error}
            </p>
          </td>
        </tr>
      )}
    </>
  );
});

/** The test box: the text with every hit marked by its span, and the hits listed. */
function SafetyTest() {
  const t = useT();
  const { actions } = useEngine();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setProblem(null);
    const r = await actions.review.request('safety.test', { text });
    setBusy(false);
    if (r.ok) setResult({ ...r.value, text });
    else setProblem(r.message);
  };

  return (
    <fieldset className="safety-test" data-testid="safety-test">
      <legend>{t('safety.test')}</legend>
      <textarea
        data-testid="safety-test-text"
        aria-label={t('safety.testText')}
        placeholder={t('safety.testPlaceholder')}
        rows={3}
        maxLength={10_000}
        value={text}
        onChange={(ev) => setText(ev.target.value)}
      />
      <div className="dialog__buttons">
        <button
          type="button"
          data-testid="safety-test-run"
          disabled={busy || text.trim() === ''}
          onClick={() => void run()}
        >
          {t('safety.testRun')}
        </button>
        {result && (
          <span
            className={`safety-badge safety-badge--${result.verdict === 'block' ? 'flagged' : result.verdict}`}
            data-testid="safety-test-verdict"
            data-verdict={result.verdict}
          >
            {t(`safety.verdict.${result.verdict}`)}
          </span>
        )}
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {t('safety.testFailed', { message: problem })}
        </p>
      )}
      {result && (
        <>
          <p className="safety-test__text" data-testid="safety-test-marked">
            {splitBySpans(result.text, result.hits).map((part, i) =>
              part.hit ? (
                <mark
                  key={i}
                  className={`safety-hit safety-hit--${part.severity ?? 'warn'}`}
                  data-testid="safety-test-hit"
                >
                  {part.text}
                </mark>
              ) : (
                <span key={i}>{part.text}</span>
              ),
            )}
          </p>
          <ul className="safety-hits">
            {result.hits.map((h, i) => (
              <li key={`${h.start}-${i}`}>
                {t('safety.hit', {
                  matched: h.matched,
                  term: h.term,
                  category: h.category,
                  severity: t(`safety.severity.${h.severity}`),
                })}
              </li>
            ))}
          </ul>
        </>
      )}
    </fieldset>
  );
}

/**
 * The sensitive-word lexicon: zh and en terms with a category and severity (block: not
 * publishable without an override; warn: to look at), phrases that are allowed although they
 * contain a term, a test box, and whether sampled frames are checked by the image model.
 */
export function SafetyDialog(props: { onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const imageOn = useAppState((s) => s.settings?.['safety.image'] ?? true);
  const [name, setName] = useState('');
  const [rows, setRows] = useState<SafetyDraft[] | null>(null);
  const [builtIn, setBuiltIn] = useState(false);
  const [image, setImage] = useState<{ available: boolean; reason: string | null } | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const adopt = useCallback((lexicon: SafetyLexicon, isBuiltIn: boolean) => {
    setName(lexicon.name);
    setRows(toSafetyDraft(lexicon));
    setBuiltIn(isBuiltIn);
    setDirty(false);
  }, []);

  useEffect(() => {
    let cancelled = false;
    void actions.review.request('safety.get', {}).then((r) => {
      if (cancelled) return;
      if (r.ok) {
        adopt(r.value.lexicon, r.value.builtIn);
        setImage(r.value.image);
      } else setProblem({ message: r.message, code: r.code, row: null });
    });
    return () => {
      cancelled = true;
    };
  }, [actions, adopt]);

  const onChange = useCallback((key: number, patch: Partial<SafetyDraft>) => {
    setRows((list) => list?.map((r) => (r.key === key ? { ...r, ...patch } : r)) ?? list);
    setDirty(true);
    setDone(null);
  }, []);
  const onRemove = useCallback((key: number) => {
    setRows((list) => list?.filter((r) => r.key !== key) ?? list);
    setDirty(true);
  }, []);

  const save = async () => {
    if (!rows) return;
    const draft = fromSafetyDraft(name, rows);
    if (!draft.ok) {
      setProblem({ message: t(`safety.bad.${draft.problem}`), code: null, row: draft.key });
      setFilter('');
      return;
    }
    setBusy(true);
    setProblem(null);
    const r = await actions.review.request('safety.set', { lexicon: draft.lexicon });
    setBusy(false);
    if (!r.ok) return setProblem({ message: r.message, code: r.code, row: null });
    adopt(r.value.lexicon, r.value.builtIn);
    setDone(t('safety.saved', { count: r.value.lexicon.entries.length }));
  };

  const reset = async () => {
    setBusy(true);
    setProblem(null);
    const r = await actions.review.request('safety.reset', {});
    setBusy(false);
    if (!r.ok) return setProblem({ message: r.message, code: r.code, row: null });
    adopt(r.value.lexicon, r.value.builtIn);
    setDone(t('safety.resetDone', { count: r.value.lexicon.entries.length }));
  };

  const list = rows ?? [];
  const errorRow = problem?.row ?? null;
  const matching = list.filter((r) => safetyMatches(r, filter) || r.key === errorRow);
  const shown = matching.slice(0, MAX_ROWS);
  const errorEntry = matching.find((r) => r.key === errorRow);
  if (errorEntry && !shown.includes(errorEntry)) shown.push(errorEntry);

  return (
    <Dialog title={t('safety.title')} testId="safety-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">{t('safety.intro')}</p>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="safety-image"
          checked={imageOn}
          onChange={(ev) =>
            void actions.changeSetting({ key: 'safety.image', value: ev.target.checked })
          }
        />
        {t('safety.imageCheck')}
      </label>
      {image && !image.available && (
        <p className="hint" data-testid="safety-image-unavailable">
          {t('safety.imageUnavailable', { reason: image.reason ?? '—' })}
        </p>
      )}
      <div className="lexicon__toolbar">
        <input
          type="search"
          data-testid="safety-filter"
          aria-label={t('safety.filter')}
          placeholder={t('safety.filter')}
          value={filter}
          onChange={(ev) => setFilter(ev.target.value)}
        />
        <span className="pane__context" data-testid="safety-count">
          {t(builtIn && !dirty ? 'safety.countBuiltIn' : 'safety.count', { count: list.length })}
        </span>
        <button
          type="button"
          data-testid="safety-add"
          disabled={rows === null}
          onClick={() => {
            setRows((l) => (l ? [...l, blankSafetyEntry(l)] : l));
            setFilter('');
            setDirty(true);
          }}
        >
          {t('safety.add')}
        </button>
      </div>
      <div className="lexicon__scroll">
        {rows === null ? (
          <p className="pane__context">{t('safety.loading')}</p>
        ) : (
          <table className="lexicon" data-testid="safety-table">
            <thead>
              <tr>
                <th scope="col">{t('safety.col.id')}</th>
                <th scope="col">{t('safety.col.term')}</th>
                <th scope="col">{t('safety.col.category')}</th>
                <th scope="col">{t('safety.col.severity')}</th>
                <th scope="col">{t('safety.col.match')}</th>
                <th scope="col">{t('safety.col.allow')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('lexicon.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <SafetyRow
                  key={r.key}
                  row={r}
                  error={r.key === errorRow ? (problem?.message ?? null) : null}
                  onChange={onChange}
                  onRemove={onRemove}
                />
              ))}
            </tbody>
          </table>
        )}
        {matching.length > shown.length && (
          <p className="pane__context">
            {t('lexicon.more', { shown: shown.length, total: matching.length })}
          </p>
        )}
      </div>
      {problem && problem.row === null && (
        <FailureLine
          testId="safety-error"
          text={t('safety.failed', { message: problem.message })}
          code={problem.code}
        />
      )}
      {done && (
        <p className="ok" role="status" data-testid="safety-done">
          {done}
        </p>
      )}
      <div className="dialog__buttons">
        <button
          type="button"
          className="primary"
          data-testid="safety-save"
          disabled={busy || !dirty}
          onClick={() => void save()}
        >
          {t('safety.save')}
        </button>
        <button
          type="button"
          data-testid="safety-reset"
          disabled={busy || (builtIn && !dirty)}
          onClick={() => void reset()}
        >
          {t('safety.reset')}
        </button>
      </div>
      <SafetyTest />
    </Dialog>
  );
}
