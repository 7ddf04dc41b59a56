import { memo, useCallback, useEffect, useState } from 'react';
import { Dialog } from '../components/Dialog';
import type { EnhancementTable, ErrorCode } from '../contract';
import { CATEGORIES } from '../highlights/lexiconDraft';
import { categoryLabel } from '../highlights/labels';
import { useEngine, useT } from '../state/context';
import {
  blankEnhanceRow,
  fromEnhanceDraft,
  toEnhanceDraft,
  type DraftProblem,
  type EnhanceDraft,
} from './drafts';
import { FailureLine } from '../components/FailureLine';

/** What a row may match: any highlight, the detector's categories, marks and audio peaks. */
const MATCH_CATEGORIES: readonly string[] = ['*', ...CATEGORIES, 'manual', 'audio'];

type Problem = { message: string; code: ErrorCode | null; row: number | null };

const EnhanceRowView = memo(function EnhanceRowView(props: {
  row: EnhanceDraft;
  error: string | null;
  onChange: (key: number, patch: Partial<EnhanceDraft>) => void;
  onRemove: (key: number) => void;
}) {
  const t = useT();
  const { row: r, error, onChange, onRemove } = props;
  const categories = MATCH_CATEGORIES.includes(r.category)
    ? MATCH_CATEGORIES
    : [...MATCH_CATEGORIES, r.category];
  return (
    <>
      <tr data-testid="enhance-row" data-row-id={r.id} data-error={error ? 'true' : 'false'}>
        <td>
          <input
            className="lexicon__id"
            data-testid="enhance-id"
            aria-label={t('enhance.col.id')}
            value={r.id}
            spellCheck={false}
            onChange={(ev) => onChange(r.key, { id: ev.target.value })}
          />
        </td>
        <td>
          <select
            data-testid="enhance-category"
            aria-label={t('enhance.col.category')}
            value={r.category}
            onChange={(ev) => onChange(r.key, { category: ev.target.value })}
          >
            {categories.map((c) => (
              <option key={c} value={c}>
                {c === '*' ? t('enhance.anyCategory') : categoryLabel(t, c)}
              </option>
            ))}
          </select>
        </td>
        <td>
          <input
            data-testid="enhance-pattern"
            aria-label={t('enhance.col.pattern')}
            placeholder={t('enhance.patternPlaceholder')}
            value={r.pattern}
            maxLength={200}
            onChange={(ev) => onChange(r.key, { pattern: ev.target.value })}
          />
        </td>
        <td>
          <input
            data-testid="enhance-action-zh"
            aria-label={t('enhance.col.actionZh')}
            value={r.actionZh}
            maxLength={200}
            onChange={(ev) => onChange(r.key, { actionZh: ev.target.value })}
          />
        </td>
        <td>
          <input
            data-testid="enhance-action-en"
            aria-label={t('enhance.col.actionEn')}
            value={r.actionEn}
            maxLength={200}
            onChange={(ev) => onChange(r.key, { actionEn: ev.target.value })}
          />
        </td>
        <td>
          <input
            type="checkbox"
            data-testid="enhance-punch-in"
            aria-label={t('enhance.punchIn')}
            checked={r.punchIn}
            onChange={(ev) => onChange(r.key, { punchIn: ev.target.checked })}
          />
        </td>
        <td>
          <input
            className="lexicon__weight"
            data-testid="enhance-zoom"
            aria-label={t('enhance.col.zoom')}
            type="number"
            min={1.05}
            max={2}
            step={0.05}
            placeholder="—"
            value={r.zoom}
            onChange={(ev) => onChange(r.key, { zoom: ev.target.value })}
          />
        </td>
        <td>
          <input
            type="checkbox"
            data-testid="enhance-emphasis"
            aria-label={t('enhance.emphasis')}
            checked={r.emphasis}
            onChange={(ev) => onChange(r.key, { emphasis: ev.target.checked })}
          />
        </td>
        <td>
          <button
            type="button"
            className="icon-button"
            aria-label={t('enhance.remove', { id: r.id })}
            title={t('enhance.remove', { id: r.id })}
            onClick={() => onRemove(r.key)}
          >
            ×
          </button>
        </td>
      </tr>
      {error && (
        <tr className="lexicon__error-row">
          <td colSpan={9}>
            <p className="field-error" role="alert" data-testid="enhance-row-error">
              {error}
            </p>
          </td>
        </tr>
      )}
    </>
  );
});

/**
 * The semantic-enhancement table: which highlights (category, and words in the text) get which
 * action suggestion (zh / en, fills ${action}) and which clip styling (punch-in, zoom, emphasis
 * captions). The first matching row wins.
 */
export function EnhanceDialog(props: { onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const [rows, setRows] = useState<EnhanceDraft[] | null>(null);
  const [builtIn, setBuiltIn] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const adopt = useCallback((table: EnhancementTable, isBuiltIn: boolean) => {
    setRows(toEnhanceDraft(table));
    setBuiltIn(isBuiltIn);
    setDirty(false);
  }, []);

  useEffect(() => {
    let cancelled = false;
    void actions.review.request('enhance.get', {}).then((r) => {
      if (cancelled) return;
      if (r.ok) adopt(r.value.table, r.value.builtIn);
      else setProblem({ message: r.message, code: r.code, row: null });
    });
    return () => {
      cancelled = true;
    };
  }, [actions, adopt]);

  const onChange = useCallback((key: number, patch: Partial<EnhanceDraft>) => {
    setRows((list) => list?.map((r) => (r.key === key ? { ...r, ...patch } : r)) ?? list);
    setDirty(true);
    setDone(null);
  }, []);
  const onRemove = useCallback((key: number) => {
    setRows((list) => list?.filter((r) => r.key !== key) ?? list);
    setDirty(true);
  }, []);

  const describe = (p: DraftProblem): string =>
    p.problem === 'zoom'
      ? t('enhance.badZoom')
      : p.problem === 'id'
        ? t('enhance.badId')
        : t('enhance.badCategory');

  const save = async () => {
    if (!rows) return;
    const draft = fromEnhanceDraft(rows);
    if (!draft.ok) {
      setProblem({ message: describe(draft.problem), code: null, row: draft.problem.key });
      return;
    }
    setBusy(true);
    setProblem(null);
    const r = await actions.review.request('enhance.set', { table: draft.table });
    setBusy(false);
    if (!r.ok) return setProblem({ message: r.message, code: r.code, row: null });
    adopt(r.value.table, r.value.builtIn);
    setDone(t('enhance.saved', { count: r.value.table.rows.length }));
  };

  const reset = async () => {
    setBusy(true);
    setProblem(null);
    const r = await actions.review.request('enhance.reset', {});
    setBusy(false);
    if (!r.ok) return setProblem({ message: r.message, code: r.code, row: null });
    adopt(r.value.table, r.value.builtIn);
    setDone(t('enhance.resetDone', { count: r.value.table.rows.length }));
  };

  return (
    <Dialog title={t('enhance.title')} testId="enhance-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">{t('enhance.intro')}</p>
      <p className="pane__context" data-testid="enhance-count">
        {t(builtIn && !dirty ? 'enhance.countBuiltIn' : 'enhance.count', {
          count: rows?.length ?? 0,
        })}
      </p>
      <div className="lexicon__scroll">
        {rows === null ? (
          <p className="pane__context">{t('enhance.loading')}</p>
        ) : (
          <table className="lexicon" data-testid="enhance-table">
            <thead>
              <tr>
                <th scope="col">{t('enhance.col.id')}</th>
                <th scope="col">{t('enhance.col.category')}</th>
                <th scope="col">{t('enhance.col.pattern')}</th>
                <th scope="col">{t('enhance.col.actionZh')}</th>
                <th scope="col">{t('enhance.col.actionEn')}</th>
                <th scope="col">{t('enhance.punchIn')}</th>
                <th scope="col">{t('enhance.col.zoom')}</th>
                <th scope="col">{t('enhance.emphasis')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('lexicon.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <EnhanceRowView
                  key={r.key}
                  row={r}
                  error={problem?.row === r.key ? problem.message : null}
                  onChange={onChange}
                  onRemove={onRemove}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      {problem && problem.row === null && (
        <FailureLine
          testId="enhance-error"
          text={t('enhance.failed', { message: problem.message })}
          code={problem.code}
        />
      )}
      {done && (
        <p className="ok" role="status" data-testid="enhance-done">
          {done}
        </p>
      )}
      <div className="dialog__buttons">
        <button
          type="button"
          data-testid="enhance-add"
          disabled={rows === null}
          onClick={() => {
            setRows((l) => (l ? [...l, blankEnhanceRow(l)] : l));
            setDirty(true);
          }}
        >
          {t('enhance.add')}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="enhance-save"
          disabled={busy || !dirty}
          onClick={() => void save()}
        >
          {t('enhance.save')}
        </button>
        <button
          type="button"
          data-testid="enhance-reset"
          disabled={busy || (builtIn && !dirty)}
          onClick={() => void reset()}
        >
          {t('enhance.reset')}
        </button>
      </div>
    </Dialog>
  );
}
