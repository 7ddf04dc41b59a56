import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { downloadText } from '../components/download';
import type { ErrorCode, PromptLanguage, PromptTemplate } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import { PROMPT_VARIABLES, variableToken } from './preview';
import { FailureLine } from '../components/FailureLine';

interface Draft {
  /** null: a new template (its id is typed). */
  existing: string | null;
  id: string;
  name: string;
  language: PromptLanguage;
  text: string;
}

type Problem = { message: string; code: ErrorCode | null; during: string };

const EXPORT_NAME = 'liveslice-prompt-templates.json';

const toDraft = (x: PromptTemplate): Draft => ({
  existing: x.id,
  id: x.id,
  name: x.name,
  language: x.language,
  text: x.text,
});

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/**
 * The prompt template library: pick a template, edit it and save it as its next version, see and
 * restore older versions, create new ones, choose the one new highlights get, and import / export
 * the library as JSON.
 */
export function TemplatesDialog(props: { onClose: () => void }) {
  const t = useT();
  const id = useId();
  const { actions } = useEngine();
  const templates = useAppState((s) => s.promptTemplates);
  const defaultId = useAppState((s) => s.settings?.['review.template'] ?? null);
  const language = useAppState((s) => s.settings?.['review.promptLanguage'] ?? 'zh');
  const fileRef = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [history, setHistory] = useState<PromptTemplate[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [importMode, setImportMode] = useState<'merge' | 'replace'>('merge');

  useEffect(() => {
    void actions.review.loadTemplates().then((r) => {
      if (!r.ok) setProblem({ message: r.message, code: r.code, during: 'load' });
    });
  }, [actions]);

  const list = templates ?? [];
  const selected = draft ?? (list[0] ? toDraft(list[0]) : null);
  const current = selected?.existing ? list.find((x) => x.id === selected.existing) : undefined;
  const dirty =
    selected !== null &&
    (current === undefined ||
      current.name !== selected.name ||
      current.text !== selected.text ||
      current.language !== selected.language);

  const pick = (x: PromptTemplate) => {
    setDraft(toDraft(x));
    setHistory(null);
    setProblem(null);
    setDone(null);
  };

  const edit = (change: Partial<Draft>) => {
    if (!selected) return;
    setDraft({ ...selected, ...change });
    setDone(null);
  };

  const save = async () => {
    if (!selected) return;
    setBusy(true);
    setProblem(null);
    const r = await actions.review.request('prompts.save', {
      template: {
        id: selected.id.trim(),
        name: selected.name,
        language: selected.language,
        text: selected.text,
      },
    });
    setBusy(false);
    if (!r.ok) {
      setProblem({ message: r.message, code: r.code, during: 'save' });
      return;
    }
    actions.review.adoptTemplates(r.value.templates);
    const saved = r.value.templates.find((x) => x.id === selected.id.trim());
    if (saved) {
      setDraft(toDraft(saved));
      setDone(t('templates.saved', { name: saved.name, version: saved.version }));
    }
    setHistory(null);
  };

  const showHistory = async () => {
    if (!selected?.existing) return;
    const r = await actions.review.request('prompts.history', { id: selected.existing });
    if (r.ok) setHistory(r.value.versions);
    else setProblem({ message: r.message, code: r.code, during: 'history' });
  };

  const onExport = async () => {
    const r = await actions.review.request('prompts.export', {});
    if (r.ok) downloadText(EXPORT_NAME, 'application/json', r.value.json);
    else setProblem({ message: r.message, code: r.code, during: 'export' });
  };

  const onImport = async (ev: ChangeEvent<HTMLInputElement>) => {
    const input = ev.currentTarget;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setBusy(true);
    setProblem(null);
    const r = await actions.review.request('prompts.import', {
      json: await file.text(),
      mode: importMode,
    });
    setBusy(false);
    if (!r.ok) {
      setProblem({ message: r.message, code: r.code, during: 'import' });
      return;
    }
    actions.review.adoptTemplates(r.value.templates);
    setDraft(null);
    setDone(t('templates.imported', { count: r.value.templates.length, file: file.name }));
  };

  const field = (name: string) => `${id}-${name}`;
  return (
    <Dialog title={t('templates.title')} testId="templates-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">
        {t('templates.intro', {
          variables: PROMPT_VARIABLES.map(variableToken).join(' '),
        })}
      </p>
      <div className="templates">
        <ul className="templates__list" data-testid="templates-list">
          {list.map((x) => (
            <li key={x.id}>
              <button
                type="button"
                data-testid="templates-item"
                data-id={x.id}
                aria-current={selected?.existing === x.id ? 'true' : undefined}
                onClick={() => pick(x)}
              >
                {x.name}{' '}
                <span className="pane__context">
                  v{x.version} · {x.language}
                  {x.id === defaultId ? ` · ${t('templates.default')}` : ''}
                </span>
              </button>
            </li>
          ))}
          <li>
            <button
              type="button"
              data-testid="templates-new"
              onClick={() => {
                setDraft({ existing: null, id: '', name: '', language, text: '' });
                setHistory(null);
                setDone(null);
              }}
            >
              {t('templates.new')}
            </button>
          </li>
        </ul>
        {selected ? (
          <div className="templates__edit">
            <div className="detect-form__row">
              <label className="detect-form__field" htmlFor={field('id')}>
                <span>{t('templates.id')}</span>
                <input
                  id={field('id')}
                  data-testid="templates-id"
                  value={selected.id}
                  readOnly={selected.existing !== null}
                  spellCheck={false}
                  placeholder="my-template"
                  onChange={(ev) => edit({ id: ev.target.value })}
                />
              </label>
              <label className="detect-form__field" htmlFor={field('name')}>
                <span>{t('templates.name')}</span>
                <input
                  id={field('name')}
                  data-testid="templates-name"
                  value={selected.name}
                  maxLength={100}
                  onChange={(ev) => edit({ name: ev.target.value })}
                />
              </label>
              <label className="detect-form__field" htmlFor={field('lang')}>
                <span>{t('templates.language')}</span>
                <select
                  id={field('lang')}
                  data-testid="templates-language"
                  value={selected.language}
                  onChange={(ev) => edit({ language: ev.target.value as PromptLanguage })}
                >
                  <option value="zh">{t('prompts.language.zh')}</option>
                  <option value="en">{t('prompts.language.en')}</option>
                </select>
              </label>
            </div>
            <label htmlFor={field('text')}>{t('templates.text')}</label>
            <textarea
              id={field('text')}
              className="prompt-form__text"
              data-testid="templates-text"
              rows={6}
              maxLength={4000}
              spellCheck={false}
              value={selected.text}
              onChange={(ev) => edit({ text: ev.target.value })}
            />
            <div className="dialog__buttons">
              <button
                type="button"
                className="primary"
                data-testid="templates-save"
                disabled={busy || !dirty}
                onClick={() => void save()}
              >
                {selected.existing ? t('templates.saveVersion') : t('templates.create')}
              </button>
              {selected.existing !== null && (
                <>
                  <button
                    type="button"
                    data-testid="templates-history"
                    onClick={() => void showHistory()}
                  >
                    {t('templates.history')}
                  </button>
                  <button
                    type="button"
                    data-testid="templates-make-default"
                    disabled={selected.existing === defaultId}
                    onClick={() =>
                      void actions.changeSetting({
                        key: 'review.template',
                        value: selected.existing,
                      })
                    }
                  >
                    {t('templates.makeDefault')}
                  </button>
                </>
              )}
            </div>
            {history && (
              <table className="lexicon" data-testid="templates-versions">
                <caption className="visually-hidden">{t('templates.history')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('templates.version')}</th>
                    <th scope="col">{t('templates.savedAt')}</th>
                    <th scope="col">{t('templates.text')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('lexicon.col.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...history].reverse().map((v) => (
                    <tr key={v.version} data-testid="templates-version" data-version={v.version}>
                      <td>v{v.version}</td>
                      <td>{formatDate(v.updatedAt)}</td>
                      <td className="templates__snippet">{v.text}</td>
                      <td>
                        <button
                          type="button"
                          data-testid="templates-restore"
                          onClick={() => edit({ name: v.name, language: v.language, text: v.text })}
                        >
                          {t('templates.restore')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        ) : (
          <p className="pane__context">{t('templates.loading')}</p>
        )}
      </div>
      {problem && (
        <FailureLine
          testId="templates-error"
          text={t('templates.failed', { message: problem.message })}
          code={problem.code}
        />
      )}
      {done && (
        <p className="ok" role="status" data-testid="templates-done">
          {done}
        </p>
      )}
      <div className="dialog__buttons">
        <button type="button" data-testid="templates-export" onClick={() => void onExport()}>
          {t('templates.export')}
        </button>
        <label className="detect-form__field">
          <span className="visually-hidden">{t('templates.importMode')}</span>
          <select
            data-testid="templates-import-mode"
            aria-label={t('templates.importMode')}
            value={importMode}
            onChange={(ev) => setImportMode(ev.target.value as 'merge' | 'replace')}
          >
            <option value="merge">{t('templates.importMerge')}</option>
            <option value="replace">{t('templates.importReplace')}</option>
          </select>
        </label>
        <button
          type="button"
          data-testid="templates-import"
          disabled={busy}
          onClick={() => fileRef.current?.click()}
        >
          {t('templates.import')}
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="templates-import-file"
          onChange={(ev) => void onImport(ev)}
        />
      </div>
    </Dialog>
  );
}
