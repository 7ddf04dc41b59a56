/** English UI strings. The key set defined here is the one every dictionary must have. */
export const en = {
  'app.name': 'LiveSlice',
  'app.tagline': 'Live-stream clipping',

  'language.label': 'Language',
  'language.system': 'Follow system',
  'language.zh-CN': '简体中文',
  'language.en': 'English',

  'help.button': 'Keyboard shortcuts and help',
  'help.title': 'Keyboard shortcuts',
  'help.intro': 'Shortcuts are ignored while you type in a text field or a menu.',
  'help.close': 'Close',
  'help.keyColumn': 'Keys',
  'help.actionColumn': 'Action',

  'shortcut.openHelp': 'Show this help',
  'shortcut.closeHelp': 'Close this help',
  'shortcut.focusPane': 'Go to the {pane} pane',
  'shortcut.cycleLanguage': 'Switch language (system → 简体中文 → English)',

  'connection.label': 'Engine connection',
  'connection.connecting': 'Connecting…',
  'connection.connected': 'Connected',
  'connection.disconnected': 'Disconnected, reconnecting',
  'connection.unauthorized': 'Not authorized',
  'connection.transport.electron': 'desktop app',
  'connection.transport.websocket': 'browser',

  'unauthorized.title': 'Access token missing or wrong',
  'unauthorized.body':
    'Access token missing or wrong — open the exact URL that `liveslice serve` printed (it ends with #token=…).',

  'sessions.heading': 'Sessions',
  'sessions.loading': 'Loading sessions…',
  'sessions.empty': 'No sessions yet. Type a title below and create the first one.',
  'sessions.unavailable': 'Sessions cannot be listed while the engine is not connected.',
  'sessions.newLabel': 'New session title',
  'sessions.newPlaceholder': 'e.g. Friday night flash sale',
  'sessions.create': 'New session',
  'sessions.creating': 'Creating…',
  'sessions.createFailed': 'The session was not created: {message}',
  'sessions.created': 'Session “{title}” created.',
  'sessions.status.idle': 'idle',
  'sessions.status.live': 'live',
  'sessions.status.ended': 'ended',
  'sessions.source.none': 'no source',
  'sessions.source.rtmp': 'RTMP push',
  'sessions.source.srt': 'SRT push',
  'sessions.source.url': 'pull URL',
  'sessions.source.file': 'file replay',
  'sessions.selected': 'Selected session: {title} ({status}, {source})',
  'sessions.noneSelected': 'No session selected.',

  'pane.notBuilt': 'Not in this build yet',

  'pane.live.title': 'Live player',
  'pane.live.empty':
    'No stream. Stream ingest (OBS push, pull URL, file replay) is not available in this build yet.',
  'pane.live.future': 'Once it is, this pane plays the live preview of the selected session.',

  'pane.transcript.title': 'Transcript timeline',
  'pane.transcript.empty':
    'No transcript. Real-time speech recognition is not available in this build yet.',
  'pane.transcript.future':
    'Once it is, each recognized utterance appears here with its time in the stream.',

  'pane.highlights.title': 'Highlights',
  'pane.highlights.empty': 'No highlights. Highlight detection is not available in this build yet.',
  'pane.highlights.future':
    'Once it is, detected moments are listed here with their time window, score and reasons.',

  'pane.prompt.title': 'Prompt editor',
  'pane.prompt.empty': 'Nothing to edit. Prompt templates are not available in this build yet.',
  'pane.prompt.future':
    'Once they are, the editable prompt of the selected highlight is shown here.',

  'pane.review.title': 'Review queue',
  'pane.review.empty':
    'Nothing to review. Clip rendering, safety checks and publishing are not available in this build yet.',
  'pane.review.future':
    'Once they are, finished clips wait here for approval and one-click upload.',

  'pane.monitor.title': 'Monitor',
  'monitor.loading': 'Loading engine information…',
  'monitor.unavailable': 'Engine information is not available: the engine is not connected.',
  'monitor.version': 'Version',
  'monitor.transport': 'Transport',
  'monitor.platform': 'Platform',
  'monitor.dataDir': 'Data directory',
  'monitor.ffmpeg': 'ffmpeg',
  'monitor.connection': 'Connection',
  'monitor.transport.electron': 'Desktop app (IPC)',
  'monitor.transport.websocket': 'Browser (WebSocket, liveslice serve)',
  'monitor.ffmpeg.found': '{path} (from {source})',
  'monitor.ffmpeg.source.configured': 'settings',
  'monitor.ffmpeg.source.ffmpeg-static': 'bundled ffmpeg-static',
  'monitor.ffmpeg.source.path': 'PATH',
  'monitor.ffmpeg.missing': 'Not found: {message}',
  'monitor.future':
    'Per-job latency, prompts and quality scores will appear here once the job queue exists.',

  'notice.region': 'Notifications',
  'notice.dismiss': 'Dismiss',
  'notice.failed': '{action} failed: {message}',
  'notice.serverError': 'The engine reported an error: {message}',

  'action.loadInfo': 'Loading engine information',
  'action.loadSettings': 'Loading settings',
  'action.loadSessions': 'Loading sessions',
  'action.saveSetting': 'Saving the setting',
  'action.createSession': 'Creating the session',
  'action.unexpected': 'An unexpected operation',

  'hint.bad_request': 'Check the values you entered and try again.',
  'hint.unknown_method':
    'The interface and the engine are different versions. Restart LiveSlice; if it persists, reinstall it.',
  'hint.not_found': 'It may have been removed. Refresh the list and try again.',
  'hint.forbidden': 'This action is not allowed from here.',
  'hint.unavailable':
    'The engine is not reachable. LiveSlice reconnects by itself; try again when the status shows “Connected”.',
  'hint.internal':
    'This is a bug in LiveSlice. Try again; if it keeps happening, restart the app and report the message.',

  'boundary.title': 'Something went wrong in the interface',
  'boundary.hint':
    'Your sessions in the engine are safe. Reload the window to continue; if this keeps happening, report the message below.',
  'boundary.reload': 'Reload',
} as const;

export type MessageKey = keyof typeof en;
/** Every dictionary: exactly the English keys (a missing or extra key is a compile error). */
export type Dictionary = { readonly [K in MessageKey]: string };
