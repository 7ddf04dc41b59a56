import type { ReactNode } from 'react';
import type { AppInfo } from '../contract';
import type { Translate } from '../i18n/language';
import { useAppState, useT } from '../state/context';
import { SpeechModels } from '../components/SpeechModels';
import { StorageLine } from '../components/StorageLine';
import { GenerationWorker } from '../generate/GenerationWorker';
import { MonitorBoard } from '../monitor/MonitorBoard';
import { Pane } from './Pane';

function Row(props: { label: string; testId: string; children: ReactNode }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.children}</dd>
    </>
  );
}

function ffmpegText(t: Translate, ffmpeg: AppInfo['ffmpeg']): string {
  return ffmpeg.found
    ? t('monitor.ffmpeg.found', {
        path: ffmpeg.path,
        source: t(`monitor.ffmpeg.source.${ffmpeg.source}`),
      })
    : t('monitor.ffmpeg.missing', { message: ffmpeg.message });
}

export function MonitorPane() {
  const t = useT();
  const info = useAppState((s) => s.appInfo);
  const connection = useAppState((s) => s.connection);
  return (
    <Pane pane="monitor">
      {info ? (
        <dl className="facts" data-testid="app-info">
          <Row label={t('monitor.version')} testId="info-version">
            {info.version}
          </Row>
          <Row label={t('monitor.transport')} testId="info-transport">
            {t(`monitor.transport.${info.transport}`)}
          </Row>
          <Row label={t('monitor.connection')} testId="info-connection">
            {t(`connection.${connection}`)}
          </Row>
          <Row label={t('monitor.platform')} testId="info-platform">
            {info.platform}
          </Row>
          <Row label={t('monitor.dataDir')} testId="info-data-dir">
            <code className="path">{info.dataDir}</code>
          </Row>
          <Row label={t('monitor.ffmpeg')} testId="info-ffmpeg">
            <span
              className={info.ffmpeg.found ? 'ok' : 'warn'}
              data-found={info.ffmpeg.found ? 'true' : 'false'}
            >
              {ffmpegText(t, info.ffmpeg)}
            </span>
          </Row>
        </dl>
      ) : (
        <p className="pane__context" data-testid="app-info-missing">
          {connection === 'connected' || connection === 'connecting'
            ? t('monitor.loading')
            : t('monitor.unavailable')}
        </p>
      )}
      <StorageLine />
      <SpeechModels />
      <GenerationWorker />
      <MonitorBoard />
    </Pane>
  );
}
