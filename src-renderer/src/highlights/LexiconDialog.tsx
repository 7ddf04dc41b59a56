import { memo, useCallback, useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { Dialog } from '../components/Dialog';
import type { ErrorCode, Lexicon } from '../contract';
import { useEngine, useT } from '../state/context';
import {
  blankEntry,
  CATEGORIES,
  errorRow,
  exportText,
  fromDraft,
  LANGS,
  matchesFilter,
  parseImport,
  toDraft,
  type DraftEntry,
  type Lang,
} from './lexiconDraft';
import { categoryLabel } from './labels';

/** Rows rendered at most (a filter finds the others); the row an error names is always shown. */
const MAX_ROWS = 300;
const EXPORT_NAME = 'liveslice-lexicon.json';

type Field = 'id' | 'pattern' | 'category' | 'weight' | 'lang';

interface Problem {
  /** What went wrong, as the engine (or the file check) said it. */
  message: string;
  code: ErrorCode | null;
  /** The row it is about, when the message names one. */
  rowKey: number | null;
  /** What was being done. */
  during: 'save' | 'import' | 'load' | 'reset' | 'export';
}

const LexiconRow = memo(function LexiconRow(props: {
  entry: DraftEntry;
  error: string | null;
  onChange: (key: number, field: Field, value: string) => void;
  onRemove: (key: number) => void;
}) {
  const t = useT();
  const { entry: e, error, onChange, onRemove } = props;
  const errorId = `lexicon-error-${e.key}`;
  const invalid = error !== null;
  const described = invalid ? { 'aria-invalid': true, 'aria-describedby': errorId } : {};
  const categories: readonly string[] = CATEGORIES.includes(
    e.category as (typeof CATEGORIES)[number],
  )
    ? CATEGORIES
    : [...CATEGORIES, e.category];
  return (
    <>
      <tr
        className={invalid ? 'lexicon__row lexicon__row--error' : 'lexicon__row'}
        data-testid="lexicon-row"
        data-entry-id={e.id}
        data-error={invalid ? 'true' : 'false'}
      >
        <td>
          <input
            className="lexicon__id"
            data-testid="lexicon-id"
            aria-label={t('lexicon.col.id')}
            value={e.id}
            spellCheck={false}
            onChange={(ev) => onChange(e.key, 'id', ev.target.value)}
            {...described}
          />
        </td>
        <td>
          <input
            className="lexicon__pattern"
            data-testid="lexicon-pattern"
            aria-label={t('lexicon.col.pattern')}
            value={e.pattern}
            spellCheck={false}
            onChange={(ev) => onChange(e.key, 'pattern', ev.target.value)}
            {...described}
          />
        </td>
        <td>
          <select
            data-testid="lexicon-category"
            aria-label={t('lexicon.col.category')}
            value={e.category}
            onChange={(ev) => onChange(e.key, 'category', ev.target.value)}
          >
            {categories.map((c) => (
              <option key={c} value={c}>
                {categoryLabel(t, c)}
              </option>
            ))}
          </select>
        </td>
        <td>
          <input
            className="lexicon__weight"
            data-testid="lexicon-weight"
            aria-label={t('lexicon.col.weight')}
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            value={e.weight}
            onChange={(ev) => onChange(e.key, 'weight', ev.target.value)}
          />
        </td>
        <td>
          <select
            data-testid="lexicon-lang"
            aria-label={t('lexicon.col.lang')}
            value={e.lang}
            onChange={(ev) => onChange(e.key, 'lang', ev.target.value)}
          >
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {t(`lexicon.lang.${l}`)}
              </option>
            ))}
          </select>
        </td>
        <td>
          <button
            type="button"
            className="icon-button"
            data-testid="lexicon-remove"
            aria-label={t('lexicon.remove', { id: e.id })}
            title={t('lexicon.remove', { id: e.id })}
            onClick={() => onRemove(e.key)}
          >
            ×
          </button>
        </td>
      </tr>
      {invalid && (
        <tr className="lexicon__error-row">
          <td colSpan={6}>
            <p id={errorId} className="field-error" data-testid="lexicon-row-error" role="alert">
              {error}
            </p>
          </td>
        </tr>
      )}
    </>
  );
});

/**
 * The trigger lexicon as an editable table: add, remove, edit inline; save (the engine checks every
 * pattern and names the bad entry, shown next to it), back to the built-in one, import a JSON file
 * (read here, then saved) and export one (a download).
 */
export function LexiconDialog(props: { onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const filterId = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLDivElement>(null);
  const [entries, setEntries] = useState<DraftEntry[] | null>(null);
  const [builtIn, setBuiltIn] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [confirmReset, setConfirmReset] = useState(false);

  const adopt = useCallback((lexicon: Lexicon, isBuiltIn: boolean) => {
    setEntries(toDraft(lexicon));
    setBuiltIn(isBuiltIn);
    setDirty(false);
  }, []);

  useEffect(() => {
    let cancelled = false;
    void actions.loadLexicon().then((r) => {
      if (cancelled) return;
      if (r.ok) adopt(r.value.lexicon, r.value.builtIn);
      else setProblem({ message: r.message, code: r.code, rowKey: null, during: 'load' });
    });
    return () => {
      cancelled = true;
    };
  }, [actions, adopt]);

  // The row an error names scrolls into view.
  useEffect(() => {
    if (problem?.rowKey == null) return;
    tableRef.current?.querySelector('[data-error="true"]')?.scrollIntoView?.({ block: 'nearest' });
  }, [problem]);

  const onChange = useCallback((key: number, field: Field, value: string) => {
    setEntries((list) =>
      list
        ? list.map((e) =>
            e.key !== key
              ? e
              : field === 'lang'
                ? { ...e, lang: value as Lang }
                : { ...e, [field]: value },
          )
        : list,
    );
    setDirty(true);
    setDone(null);
  }, []);

  const onRemove = useCallback((key: number) => {
    setEntries((list) => (list ? list.filter((e) => e.key !== key) : list));
    setDirty(true);
    setDone(null);
  }, []);

  const save = async (
    list: readonly DraftEntry[],
    during: 'save' | 'import',
    fileName?: string,
  ) => {
    const draft = fromDraft(list);
    if (!draft.ok) {
      setProblem({
        message: t('lexicon.badWeight', { weight: draft.weight }),
        code: null,
        rowKey: draft.key,
        during,
      });
      return;
    }
    setBusy(true);
    setProblem(null);
    setDone(null);
    const r = await actions.saveLexicon(draft.lexicon);
    setBusy(false);
    if (r.ok) {
      adopt(r.value.lexicon, r.value.builtIn);
      setDone(
        fileName !== undefined
          ? t('lexicon.imported', { count: r.value.lexicon.entries.length, file: fileName })
          : t('lexicon.saved', { count: r.value.lexicon.entries.length }),
      );
      return;
    }
    const row = errorRow(r.message, list);
    setProblem({
      message: r.message,
      code: r.code,
      rowKey: row !== null ? (list[row]?.key ?? null) : null,
      during,
    });
  };

  const onImport = async (ev: ChangeEvent<HTMLInputElement>) => {
    const input = ev.currentTarget;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setDone(null);
    const parsed = parseImport(await file.text());
    if (!parsed.ok) {
      setProblem({
        message: t('lexicon.importBad', { file: file.name, message: parsed.message }),
        code: null,
        rowKey: null,
        during: 'import',
      });
      return;
    }
    const list = toDraft(parsed.lexicon);
    setEntries(list);
    setDirty(true);
    setFilter('');
    await save(list, 'import', file.name);
  };

  const onExport = () => {
    if (!entries) return;
    const draft = fromDraft(entries);
    if (!draft.ok) {
      setProblem({
        message: t('lexicon.badWeight', { weight: draft.weight }),
        code: null,
        rowKey: draft.key,
        during: 'export',
      });
      return;
    }
    // A Blob URL download: an <a download> click is a download, not a navigation, and needs no
    // CSP source; the URL is revoked once the click has been handled.
    const url = URL.createObjectURL(
      new Blob([exportText(draft.lexicon)], { type: 'application/json' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = EXPORT_NAME;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };

  const onReset = async () => {
    setConfirmReset(false);
    setBusy(true);
    setProblem(null);
    setDone(null);
    const r = await actions.resetLexicon();
    setBusy(false);
    if (r.ok) {
      adopt(r.value.lexicon, r.value.builtIn);
      setDone(t('lexicon.resetDone', { count: r.value.lexicon.entries.length }));
    } else setProblem({ message: r.message, code: r.code, rowKey: null, during: 'reset' });
  };

  const list = entries ?? [];
  const rowError = problem?.rowKey ?? null;
  const matching = list.filter((e) => matchesFilter(e, filter) || e.key === rowError);
  const rows = matching.slice(0, MAX_ROWS);
  const errorEntry = rowError !== null ? matching.find((e) => e.key === rowError) : undefined;
  if (errorEntry && !rows.includes(errorEntry)) rows.push(errorEntry);

  return (
    <Dialog title={t('lexicon.title')} testId="lexicon-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">{t('lexicon.intro')}</p>
      <div className="lexicon__toolbar">
        <label htmlFor={filterId} className="visually-hidden">
          {t('lexicon.filter')}
        </label>
        <input
          id={filterId}
          type="search"
          data-testid="lexicon-filter"
          placeholder={t('lexicon.filter')}
          value={filter}
          onChange={(ev) => setFilter(ev.target.value)}
        />
        <span className="pane__context" data-testid="lexicon-count">
          {t(builtIn && !dirty ? 'lexicon.countBuiltIn' : 'lexicon.count', { count: list.length })}
          {dirty && ` · ${t('lexicon.unsaved')}`}
        </span>
        <button
          type="button"
          data-testid="lexicon-add"
          disabled={entries === null}
          onClick={() => {
            setEntries((l) => (l ? [...l, blankEntry(l)] : l));
            setFilter('');
            setDirty(true);
          }}
        >
          {t('lexicon.add')}
        </button>
      </div>
      {problem && (
        <div className="field-error" data-testid="lexicon-error" role="alert">
          {t(`lexicon.failed.${problem.during}`, { message: problem.message })}
          {problem.code !== null && (
            <span className="field-error__hint"> {t(`hint.${problem.code}`)}</span>
          )}
        </div>
      )}
      {done && (
        <p className="ok" data-testid="lexicon-done" role="status">
          {done}
        </p>
      )}
      <div className="lexicon__scroll" ref={tableRef}>
        {entries === null && !problem ? (
          <p className="pane__context">{t('lexicon.loading')}</p>
        ) : (
          <table className="lexicon" data-testid="lexicon-table">
            <thead>
              <tr>
                <th scope="col">{t('lexicon.col.id')}</th>
                <th scope="col">{t('lexicon.col.pattern')}</th>
                <th scope="col">{t('lexicon.col.category')}</th>
                <th scope="col">{t('lexicon.col.weight')}</th>
                <th scope="col">{t('lexicon.col.lang')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('lexicon.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <LexiconRow
                  key={e.key}
                  entry={e}
                  error={e.key === rowError ? (problem?.message ?? null) : null}
                  onChange={onChange}
                  onRemove={onRemove}
                />
              ))}
            </tbody>
          </table>
        )}
        {matching.length > rows.length && (
          <p className="pane__context" data-testid="lexicon-more">
            {t('lexicon.more', { shown: rows.length, total: matching.length })}
          </p>
        )}
      </div>
      <p className="hint">{t('lexicon.syntax')}</p>
      <div className="dialog__buttons">
        <button
          type="button"
          className="primary"
          data-testid="lexicon-save"
          disabled={busy || entries === null}
          onClick={() => entries && void save(entries, 'save')}
        >
          {busy ? t('lexicon.saving') : t('lexicon.save')}
        </button>
        <button
          type="button"
          data-testid="lexicon-import"
          disabled={busy}
          onClick={() => fileRef.current?.click()}
        >
          {t('lexicon.import')}
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="lexicon-import-file"
          onChange={(ev) => void onImport(ev)}
        />
        <button
          type="button"
          data-testid="lexicon-export"
          disabled={entries === null}
          onClick={onExport}
        >
          {t('lexicon.export')}
        </button>
        {confirmReset ? (
          <span className="confirm" role="group">
            {t('lexicon.resetConfirm')}{' '}
            <button type="button" data-testid="lexicon-reset-yes" onClick={() => void onReset()}>
              {t('lexicon.resetYes')}
            </button>{' '}
            <button type="button" onClick={() => setConfirmReset(false)}>
              {t('lexicon.cancel')}
            </button>
          </span>
        ) : (
          <button
            type="button"
            data-testid="lexicon-reset"
            disabled={busy || (builtIn && !dirty)}
            onClick={() => setConfirmReset(true)}
          >
            {t('lexicon.reset')}
          </button>
        )}
      </div>
    </Dialog>
  );
}
