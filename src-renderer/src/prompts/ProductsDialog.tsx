import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { Dialog } from '../components/Dialog';
import type { ErrorCode, Product } from '../contract';
import { useEngine, useT } from '../state/context';
import {
  blankProduct,
  fromProductDraft,
  toProductDraft,
  type DraftProblem,
  type ProductDraft,
} from './drafts';
import { FailureLine } from '../components/FailureLine';

type Problem = { message: string; code: ErrorCode | null; row: number | null };

/**
 * The product list that fills ${product} and ${price}: typed in the table, or imported from a CSV
 * file or pasted CSV text (name, price[, image]; a header row is recognized by the engine).
 */
export function ProductsDialog(props: { onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const fileRef = useRef<HTMLInputElement>(null);
  const [rows, setRows] = useState<ProductDraft[] | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [csv, setCsv] = useState('');
  const [mode, setMode] = useState<'replace' | 'append'>('replace');

  const adopt = (products: readonly Product[]) => {
    setRows(toProductDraft(products));
    setDirty(false);
  };

  useEffect(() => {
    let cancelled = false;
    void actions.review.request('products.get', {}).then((r) => {
      if (cancelled) return;
      if (r.ok) {
        setRows(toProductDraft(r.value.products));
        setDirty(false);
      } else setProblem({ message: r.message, code: r.code, row: null });
    });
    return () => {
      cancelled = true;
    };
  }, [actions]);

  const change = (key: number, patch: Partial<ProductDraft>) => {
    setRows((list) => list?.map((r) => (r.key === key ? { ...r, ...patch } : r)) ?? list);
    setDirty(true);
    setDone(null);
  };

  const rowProblem = (p: DraftProblem): Problem => ({
    message: t('products.nameMissing'),
    code: null,
    row: p.key,
  });

  const save = async () => {
    if (!rows) return;
    const draft = fromProductDraft(rows);
    if (!draft.ok) {
      setProblem(rowProblem(draft.problem));
      return;
    }
    setBusy(true);
    setProblem(null);
    const r = await actions.review.request('products.set', { products: draft.products });
    setBusy(false);
    if (!r.ok) return setProblem({ message: r.message, code: r.code, row: null });
    adopt(r.value.products);
    setDone(t('products.saved', { count: r.value.products.length }));
  };

  const importCsv = async (text: string, source: string) => {
    setBusy(true);
    setProblem(null);
    setDone(null);
    const r = await actions.review.request('products.importCsv', { csv: text, mode });
    setBusy(false);
    if (!r.ok) return setProblem({ message: r.message, code: r.code, row: null });
    adopt(r.value.products);
    setCsv('');
    setDone(t('products.imported', { count: r.value.products.length, source }));
  };

  const onFile = async (ev: ChangeEvent<HTMLInputElement>) => {
    const input = ev.currentTarget;
    const file = input.files?.[0];
    input.value = '';
    if (file) await importCsv(await file.text(), file.name);
  };

  return (
    <Dialog title={t('products.title')} testId="products-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">{t('products.intro')}</p>
      <div className="lexicon__scroll">
        {rows === null ? (
          <p className="pane__context">{t('products.loading')}</p>
        ) : (
          <table className="lexicon" data-testid="products-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('products.name')}</th>
                <th scope="col">{t('products.price')}</th>
                <th scope="col">{t('products.image')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('lexicon.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => {
                const bad = problem?.row === r.key;
                return (
                  <tr key={r.key} data-testid="products-row" data-error={bad ? 'true' : 'false'}>
                    <td className="pane__context">{i}</td>
                    <td>
                      <input
                        data-testid="products-name"
                        aria-label={t('products.name')}
                        aria-invalid={bad ? true : undefined}
                        value={r.name}
                        maxLength={200}
                        onChange={(ev) => change(r.key, { name: ev.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        data-testid="products-price"
                        aria-label={t('products.price')}
                        value={r.price}
                        maxLength={50}
                        onChange={(ev) => change(r.key, { price: ev.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        data-testid="products-image"
                        aria-label={t('products.image')}
                        value={r.image}
                        spellCheck={false}
                        onChange={(ev) => change(r.key, { image: ev.target.value })}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={t('products.remove', { name: r.name })}
                        title={t('products.remove', { name: r.name })}
                        onClick={() => {
                          setRows((l) => l?.filter((x) => x.key !== r.key) ?? l);
                          setDirty(true);
                        }}
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      <div className="dialog__buttons">
        <button
          type="button"
          data-testid="products-add"
          disabled={rows === null}
          onClick={() => {
            setRows((l) => (l ? [...l, blankProduct()] : l));
            setDirty(true);
          }}
        >
          {t('products.add')}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="products-save"
          disabled={busy || !dirty}
          onClick={() => void save()}
        >
          {t('products.save')}
        </button>
      </div>
      <fieldset className="products__csv">
        <legend>{t('products.csv')}</legend>
        <textarea
          data-testid="products-csv"
          aria-label={t('products.csvPaste')}
          placeholder={t('products.csvPlaceholder')}
          rows={3}
          spellCheck={false}
          value={csv}
          onChange={(ev) => setCsv(ev.target.value)}
        />
        <div className="dialog__buttons">
          <select
            data-testid="products-csv-mode"
            aria-label={t('products.csvMode')}
            value={mode}
            onChange={(ev) => setMode(ev.target.value as 'replace' | 'append')}
          >
            <option value="replace">{t('products.csvReplace')}</option>
            <option value="append">{t('products.csvAppend')}</option>
          </select>
          <button
            type="button"
            data-testid="products-csv-import"
            disabled={busy || csv.trim() === ''}
            onClick={() => void importCsv(csv, t('products.csvPasted'))}
          >
            {t('products.csvImportText')}
          </button>
          <button
            type="button"
            data-testid="products-csv-file"
            disabled={busy}
            onClick={() => fileRef.current?.click()}
          >
            {t('products.csvImportFile')}
          </button>
          <input
            ref={fileRef}
            type="file"
            accept=".csv,text/csv,text/plain"
            hidden
            onChange={(ev) => void onFile(ev)}
          />
        </div>
      </fieldset>
      {problem && (
        <FailureLine
          testId="products-error"
          text={t('products.failed', { message: problem.message })}
          code={problem.code}
        />
      )}
      {done && (
        <p className="ok" role="status" data-testid="products-done">
          {done}
        </p>
      )}
    </Dialog>
  );
}
