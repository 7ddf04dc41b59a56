import { useEffect } from 'react';
import type { Translate } from '../i18n/language';
import { useAppState, useT } from '../state/context';
import type { Notice } from '../state/store';

const INFO_DISMISS_MS = 6000;

function NoticeText(props: { t: Translate; notice: Notice }) {
  const { t, notice } = props;
  const what =
    notice.messageKey !== null
      ? t(notice.messageKey, notice.params)
      : notice.action !== null
        ? t('notice.failed', { action: t(notice.action), message: notice.message })
        : notice.message;
  return (
    <>
      <p className="notice__what">{what}</p>
      {notice.code !== null && <p className="notice__next">{t(`hint.${notice.code}`)}</p>}
    </>
  );
}

function NoticeItem(props: { notice: Notice }) {
  const t = useT();
  const dismiss = useAppState((s) => s.dismissNotice);
  const { notice } = props;
  useEffect(() => {
    if (notice.kind !== 'info') return;
    const timer = setTimeout(() => dismiss(notice.id), INFO_DISMISS_MS);
    return () => clearTimeout(timer);
  }, [notice.kind, notice.id, dismiss]);
  return (
    <li
      className={`notice notice--${notice.kind}`}
      data-testid="notice"
      data-kind={notice.kind}
      data-code={notice.code ?? undefined}
      role={notice.kind === 'error' ? 'alert' : undefined}
    >
      <div className="notice__text">
        <NoticeText t={t} notice={notice} />
      </div>
      <button
        type="button"
        className="icon-button notice__dismiss"
        aria-label={t('notice.dismiss')}
        title={t('notice.dismiss')}
        onClick={() => dismiss(notice.id)}
      >
        ×
      </button>
    </li>
  );
}

/** Errors say what happened and what to do next; info notices fade after a few seconds. */
export function Notices() {
  const t = useT();
  const notices = useAppState((s) => s.notices);
  return (
    <section className="notices" aria-label={t('notice.region')} aria-live="polite">
      <ul data-testid="notices">
        {notices.map((n) => (
          <NoticeItem key={n.id} notice={n} />
        ))}
      </ul>
    </section>
  );
}
