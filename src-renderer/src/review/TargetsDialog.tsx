import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from '../components/Dialog';
import type { ErrorCode } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import {
  blankTarget,
  fromForm,
  TARGET_KINDS,
  targetSummary,
  toForm,
  validateTarget,
  type TargetField,
  type TargetForm,
  type TargetKind,
} from './targetForm';
import { FailureLine } from '../components/FailureLine';

type Tested = { id: string; ok: boolean; message: string } | null;

function Field(props: {
  id: string;
  label: string;
  error: string | null;
  hint?: string | undefined;
  children: ReactNode;
}) {
  return (
    <label className="detect-form__field" htmlFor={props.id}>
      <span>{props.label}</span>
      {props.children}
      {props.hint && <span className="hint">{props.hint}</span>}
      {props.error && (
        <span className="field-error" id={`${props.id}-error`} data-testid="target-field-error">
          {props.error}
        </span>
      )}
    </label>
  );
}

/** The form of one target (new or edited); checks fields before the engine sees them. */
function TargetEditor(props: {
  initial: TargetForm;
  existingIds: readonly string[];
  onSaved: (id: string) => void;
  onCancel: () => void;
}) {
  const t = useT();
  const uid = useId();
  const { actions } = useEngine();
  const [form, setForm] = useState(props.initial);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; code: ErrorCode } | null>(null);
  const errors = validateTarget(form);
  const taken = form.existing === null && props.existingIds.includes(form.id.trim());

  const edit = (change: Partial<TargetForm>) => setForm((f) => ({ ...f, ...change }));
  const err = (field: TargetField): string | null => {
    if (!shown) return null;
    if (field === 'id' && taken) return t('targets.invalid.idTaken');
    const p = errors[field];
    return p ? t(`targets.invalid.${p}`) : null;
  };
  const fid = (name: string) => `${uid}-${name}`;
  const input = (field: TargetField, extra: { type?: string; placeholder?: string } = {}) => {
    const e = err(field);
    const value = form[field] as string;
    return (
      <input
        id={fid(field)}
        data-testid={`target-${field}`}
        value={value}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={e ? true : undefined}
        aria-describedby={e ? `${fid(field)}-error` : undefined}
        {...extra}
        onChange={(ev) => edit({ [field]: ev.target.value } as Partial<TargetForm>)}
      />
    );
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setShown(true);
    if (Object.keys(errors).length > 0 || taken) return;
    setBusy(true);
    setProblem(null);
    const { target, secret } = fromForm(form);
    const r = await actions.review.saveTarget(target, secret);
    setBusy(false);
    if (r.ok) props.onSaved(target.id);
    else setProblem({ message: r.message, code: r.code });
  };

  const secretLabel = form.kind === 's3' ? t('targets.secretKey') : t('targets.signingSecret');
  return (
    <form
      className="detect-form target-form"
      data-testid="target-form"
      data-kind={form.kind}
      noValidate
      onSubmit={(ev) => void submit(ev)}
    >
      <div className="detect-form__row">
        <Field id={fid('kind')} label={t('targets.kind')} error={null}>
          <select
            id={fid('kind')}
            data-testid="target-kind"
            value={form.kind}
            disabled={form.existing !== null}
            onChange={(ev) => {
              const kind = ev.target.value as TargetKind;
              setForm((f) => ({ ...blankTarget(kind, props.existingIds), name: f.name }));
            }}
          >
            {TARGET_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`targets.kind.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id={fid('name')} label={t('targets.name')} error={err('name')}>
          {input('name')}
        </Field>
        <Field id={fid('id')} label={t('targets.id')} error={err('id')}>
          <input
            id={fid('id')}
            data-testid="target-id"
            value={form.id}
            readOnly={form.existing !== null}
            spellCheck={false}
            aria-invalid={err('id') ? true : undefined}
            onChange={(ev) => edit({ id: ev.target.value })}
          />
        </Field>
      </div>
      {form.kind === 'folder' && (
        <Field
          id={fid('dir')}
          label={t('targets.dir')}
          error={err('dir')}
          hint={t('targets.dirHint')}
        >
          {input('dir', { placeholder: t('targets.dirPlaceholder') })}
        </Field>
      )}
      {form.kind === 's3' && (
        <>
          <div className="detect-form__row">
            <Field
              id={fid('endpoint')}
              label={t('targets.endpoint')}
              error={err('endpoint')}
              hint={t('targets.endpointHint')}
            >
              {input('endpoint', {
                type: 'url',
                placeholder: 'https://s3.us-east-1.amazonaws.com',
              })}
            </Field>
            <Field id={fid('region')} label={t('targets.region')} error={err('region')}>
              {input('region', { placeholder: 'us-east-1' })}
            </Field>
          </div>
          <div className="detect-form__row">
            <Field id={fid('bucket')} label={t('targets.bucket')} error={err('bucket')}>
              {input('bucket')}
            </Field>
            <Field id={fid('prefix')} label={t('targets.prefix')} error={err('prefix')}>
              {input('prefix', { placeholder: 'clips/' })}
            </Field>
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              data-testid="target-pathStyle"
              checked={form.pathStyle}
              onChange={(ev) => edit({ pathStyle: ev.target.checked })}
            />
            {t('targets.pathStyle')}
          </label>
          <div className="detect-form__row">
            <Field
              id={fid('accessKeyId')}
              label={t('targets.accessKeyId')}
              error={err('accessKeyId')}
            >
              {input('accessKeyId')}
            </Field>
            <Field
              id={fid('publicBaseUrl')}
              label={t('targets.publicBaseUrl')}
              error={err('publicBaseUrl')}
              hint={t('targets.publicBaseUrlHint')}
            >
              {input('publicBaseUrl', { type: 'url' })}
            </Field>
          </div>
        </>
      )}
      {form.kind === 'webhook' && (
        <Field id={fid('url')} label={t('targets.url')} error={err('url')}>
          {input('url', { type: 'url', placeholder: 'https://example.com/hooks/clips' })}
        </Field>
      )}
      {form.kind !== 'folder' && (
        <Field
          id={fid('secret')}
          label={secretLabel}
          error={err('secret')}
          hint={
            form.hasSecret && !form.clearSecret
              ? t('targets.secretStored')
              : form.kind === 'webhook'
                ? t('targets.signingSecretHint')
                : undefined
          }
        >
          {/* Write-only: the stored secret never comes back; typing replaces it. */}
          {input('secret', {
            type: 'password',
            placeholder: form.hasSecret ? t('targets.secretKeep') : '',
          })}
        </Field>
      )}
      {form.kind !== 'folder' && form.hasSecret && (
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="target-clear-secret"
            checked={form.clearSecret}
            onChange={(ev) => edit({ clearSecret: ev.target.checked, secret: '' })}
          />
          {t('targets.clearSecret')}
        </label>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="target-enabled"
          checked={form.enabled}
          onChange={(ev) => edit({ enabled: ev.target.checked })}
        />
        {t('targets.enabled')}
      </label>
      {problem && (
        <FailureLine
          testId="target-error"
          text={t('targets.saveFailed', { message: problem.message })}
          code={problem.code}
        />
      )}
      <div className="dialog__buttons">
        <button type="submit" className="primary" data-testid="target-save" disabled={busy}>
          {busy ? t('targets.saving') : t('targets.save')}
        </button>
        <button type="button" data-testid="target-cancel" onClick={props.onCancel}>
          {t('targets.cancel')}
        </button>
      </div>
    </form>
  );
}

/**
 * Where approved clips go: folders, S3-compatible buckets (AWS, OSS, COS, MinIO…) and webhooks.
 * Add, edit, enable, delete and test targets; choose whether approving publishes and whether
 * clips that pass the safety checks are published without review.
 */
export function TargetsDialog(props: { onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const targets = useAppState((s) => s.publishTargets);
  const onApprove = useAppState((s) => s.settings?.['publish.onApprove'] ?? true);
  const auto = useAppState((s) => s.settings?.['publish.auto'] ?? false);
  const [editing, setEditing] = useState<TargetForm | null>(null);
  const [problem, setProblem] = useState<{ message: string; code: ErrorCode } | null>(null);
  const [tested, setTested] = useState<Tested>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  useEffect(() => {
    void actions.review.loadTargets().then((r) => {
      if (!r.ok) setProblem({ message: r.message, code: r.code });
    });
  }, [actions]);

  const list = targets ?? [];
  const ids = list.map((v) => v.target.id);

  const test = async (id: string) => {
    setTesting(id);
    setTested(null);
    const r = await actions.review.request('publish.testTarget', { id });
    setTesting(null);
    setTested(r.ok ? { id, ...r.value } : { id, ok: false, message: r.message });
  };

  const remove = async (id: string) => {
    setConfirmDelete(null);
    const r = await actions.review.deleteTarget(id);
    if (!r.ok) setProblem({ message: r.message, code: r.code });
  };

  return (
    <Dialog title={t('targets.title')} testId="targets-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">{t('targets.intro')}</p>
      <div className="targets__settings">
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="publish-on-approve"
            checked={onApprove}
            onChange={(ev) =>
              void actions.changeSetting({ key: 'publish.onApprove', value: ev.target.checked })
            }
          />
          {t('targets.onApprove')}
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="publish-auto"
            checked={auto}
            onChange={(ev) =>
              void actions.changeSetting({ key: 'publish.auto', value: ev.target.checked })
            }
          />
          {t('targets.auto')}
        </label>
      </div>
      {targets === null && !problem && <p className="pane__context">{t('targets.loading')}</p>}
      {targets !== null && list.length === 0 && editing === null && (
        <p className="pane__context" data-testid="targets-empty">
          {t('targets.empty')}
        </p>
      )}
      {list.length > 0 && (
        <ul className="targets" data-testid="targets-list">
          {list.map((v) => (
            <li
              key={v.target.id}
              className="targets__item"
              data-testid="targets-item"
              data-id={v.target.id}
              data-kind={v.target.kind}
            >
              <span className="targets__name">
                <strong>{v.target.name}</strong>{' '}
                <span className="hl-badge">{t(`targets.kind.${v.target.kind}`)}</span>{' '}
                {!v.target.enabled && <span className="hl-badge">{t('targets.disabled')}</span>}
                {v.hasSecret && <span className="hl-badge">{t('targets.hasSecret')}</span>}
              </span>
              <code className="path targets__summary">{targetSummary(v.target)}</code>
              <span className="targets__buttons">
                <button
                  type="button"
                  data-testid="targets-test"
                  disabled={testing !== null}
                  onClick={() => void test(v.target.id)}
                >
                  {testing === v.target.id ? t('targets.testing') : t('targets.test')}
                </button>
                <button
                  type="button"
                  data-testid="targets-edit"
                  onClick={() => setEditing(toForm(v))}
                >
                  {t('targets.edit')}
                </button>
                {confirmDelete === v.target.id ? (
                  <span className="confirm" role="group">
                    {t('targets.deleteConfirm')}{' '}
                    <button
                      type="button"
                      className="danger"
                      data-testid="targets-delete-yes"
                      onClick={() => void remove(v.target.id)}
                    >
                      {t('targets.delete')}
                    </button>{' '}
                    <button type="button" onClick={() => setConfirmDelete(null)}>
                      {t('targets.cancel')}
                    </button>
                  </span>
                ) : (
                  <button
                    type="button"
                    data-testid="targets-delete"
                    onClick={() => setConfirmDelete(v.target.id)}
                  >
                    {t('targets.delete')}
                  </button>
                )}
              </span>
              {tested?.id === v.target.id && (
                <p
                  className={tested.ok ? 'ok' : 'field-error'}
                  role="status"
                  data-testid="targets-test-result"
                  data-ok={tested.ok ? 'true' : 'false'}
                >
                  {t(tested.ok ? 'targets.testOk' : 'targets.testFailed', {
                    message: tested.message,
                  })}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <FailureLine
          testId="targets-error"
          text={t('targets.failed', { message: problem.message })}
          code={problem.code}
        />
      )}
      {editing ? (
        <TargetEditor
          key={editing.existing ?? `new-${editing.kind}`}
          initial={editing}
          existingIds={ids}
          onCancel={() => setEditing(null)}
          onSaved={(id) => {
            setEditing(null);
            void test(id);
          }}
        />
      ) : (
        <div className="dialog__buttons">
          <button
            type="button"
            data-testid="targets-add"
            disabled={targets === null}
            onClick={() => setEditing(blankTarget('folder', ids))}
          >
            {t('targets.add')}
          </button>
        </div>
      )}
    </Dialog>
  );
}
