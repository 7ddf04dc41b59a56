/**
 * The Electron shell: the only code that imports `electron`. It creates the engine, registers
 * the IPC transport generated from the contract, the session-media protocol, and the window.
 */
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  globalShortcut,
  ipcMain,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import type { IngestState, UiLanguage } from '../api/contract';
import { dispatch } from '../api/dispatch';
import { forwardEventsToWindows, type IpcSenderEvent, registerIpcApi } from '../api/ipc-transport';
import { defaultDataDir, ensureDataDir } from '../config/paths';
import { createEngine, type Engine, languageFromLocale } from '../engine';
import { createLogger, type Logger } from '../log/logger';
import { openMedia, toWebResponse } from '../media/serve';
import { RENDERER_CSP } from '../security/csp';
import { isSafeExternalUrl, isTrustedAppUrl, type RendererLocation } from '../security/urls';
import {
  acceleratorLabel,
  hotkeyMessage,
  MARK_ACCELERATOR,
  markFromHotkey,
  registerMarkHotkey,
} from './hotkey';
import { fitWindowState, MIN_HEIGHT, MIN_WIDTH, WindowState } from './window-state';

/** liveslice-media://session/<path inside the data directory> */
export const MEDIA_SCHEME = 'liveslice-media';
const WINDOW_STATE_KEY = 'window.state';
/** A 36×64 portrait frame shown under the pointer while a clip is dragged out (clips.drag). */
const DRAG_ICON =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACQAAABACAIAAAD9B0KDAAAACXBIWXMAAAABAAAAAQBPJcTWAAAATklEQVR4nO3N0Q3AEABAQcsZyi5mxQISTZWI3sv7v1A3Fn6A5WX1sZLi58NgMBgMBoO9xeqDYDAYDAY7HZsZBoPBYDAYbIQtqoNt6F6sAYcQYTJHObFEAAAAAElFTkSuQmCC';

protocol.registerSchemesAsPrivileged([
  {
    scheme: MEDIA_SCHEME,
    privileges: {
      standard: true,
      secure: true,
      supportFetchAPI: true,
      stream: true,
      corsEnabled: true,
    },
  },
]);

const devServer = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const rendererLocation: RendererLocation = devServer
  ? { kind: 'origin', origin: devServer }
  : { kind: 'file', dir: join(__dirname, '..', 'renderer') };

const dataDir = ensureDataDir(argValue('--data-dir') ?? defaultDataDir({}));
app.setPath('userData', dataDir);

let engine: Engine | null = null;
let logger: Logger | null = null;
const windows = new Set<BrowserWindow>();
let markHotkey: { dispose(): void } | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  app.on('second-instance', () => {
    const win = [...windows][0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedAppUrl(url, rendererLocation)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isTrustedAppUrl(url, rendererLocation)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    markHotkey?.dispose();
    markHotkey = null;
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !engine) return;
    // Let ffmpeg finish the segments it is writing before the process goes.
    event.preventDefault();
    quitting = true;
    void engine.close().finally(() => {
      logger?.close();
      app.quit();
    });
  });
  app.whenReady().then(start, (err: unknown) => {
    process.stderr.write(`LiveSlice failed to start: ${String(err)}\n`);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  logger = createLogger({ dir: join(dataDir, 'logs'), console: !app.isPackaged });
  engine = createEngine({
    dataDir,
    logger,
    transport: 'electron',
    systemLanguage: languageFromLocale(app.getLocale()),
    listen: true,
    // Publish credentials encrypted with the OS keychain (the vault falls back to its key file
    // where safeStorage has no real backend, e.g. Linux without a keyring).
    safeStorage,
    // clips.reveal: the clip's file selected in the OS file manager.
    reveal: (absPath) => {
      shell.showItemInFolder(absPath);
      return true;
    },
  });
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // The dev server serves over http: give it the same policy as the built file's meta tag.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [devServer ? devCsp() : RENDERER_CSP],
      },
    });
  });
  const mediaRoot = dataDir;
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.hostname !== 'session') return new Response('Unknown media host', { status: 404 });
    const media = await openMedia(
      mediaRoot,
      url.pathname.replace(/^\//, ''),
      request.headers.get('range'),
      request.method === 'HEAD' ? 'HEAD' : 'GET',
    );
    const response = toWebResponse(media);
    // hls.js fetches playlists and segments with XHR from the app page (file://): allow it. Only
    // our own pages exist in this app (navigation is locked), and only data-dir files are served.
    response.headers.set('Access-Control-Allow-Origin', '*');
    return response;
  });

  const winIds = new Set<number>();
  const isTrustedSender = (event: IpcSenderEvent): boolean => {
    const frame = event.senderFrame;
    return (
      frame !== null &&
      frame.parent === null &&
      winIds.has(event.sender.id) &&
      isTrustedAppUrl(frame.url, rendererLocation)
    );
  };
  registerIpcApi({
    ipcMain,
    handlers: engine.handlers,
    isTrustedSender,
    logger,
    dragIcon: nativeImage.createFromDataURL(DRAG_ICON),
  });
  forwardEventsToWindows(engine.bus, () => [...windows].map((w) => w.webContents));

  const win = createWindow(engine);
  winIds.add(win.webContents.id);
  markHotkey = registerGlobalMark(engine, logger);
}

/** The UI language for messages from the shell itself (the setting, else the OS's). */
function shellLanguage(eng: Engine): UiLanguage {
  const setting = eng.store.settings.getAll()['ui.language'];
  return setting === 'system' ? languageFromLocale(app.getLocale()) : setting;
}

/** Tells the operator something while the window may be behind OBS: a notification, else a box. */
function tellOperator(message: { title: string; body: string }, quiet = false): void {
  if (Notification.isSupported()) {
    new Notification({ title: message.title, body: message.body, silent: quiet }).show();
    return;
  }
  const win = [...windows][0];
  const box = { type: 'info' as const, title: message.title, message: message.body };
  void (win ? dialog.showMessageBox(win, box) : dialog.showMessageBox(box));
}

/**
 * The global "clip that!" shortcut: marks the live session (ingest live, newest first) through
 * the engine's contract handler, from any application. If it cannot be registered the app goes
 * on without it, and says so.
 */
function registerGlobalMark(eng: Engine, log: Logger): { dispose(): void } {
  const label = acceleratorLabel(process.platform);
  return registerMarkHotkey({
    registry: globalShortcut,
    accelerator: MARK_ACCELERATOR,
    onError: (reason) => {
      log.warn('the global mark shortcut is not available', { accelerator: label, reason });
      tellOperator(
        hotkeyMessage(shellLanguage(eng), { kind: 'register-failed', accelerator: label, reason }),
      );
    },
    onPress: () => {
      void markFromHotkey({
        candidates: () =>
          eng.store.sessions.withStatus('live').map((s) => {
            let ingestState: IngestState | null = null;
            try {
              ingestState = eng.ingest.status(s.id).state;
            } catch {
              ingestState = null;
            }
            return { id: s.id, createdAt: s.createdAt, ingestState };
          }),
        mark: (sessionId) =>
          dispatch(
            eng.handlers,
            'highlights.mark',
            { sessionId, source: 'hotkey' },
            { transport: 'electron' },
            log,
          ),
      }).then((outcome) => {
        if (outcome.kind === 'marked') {
          log.info('marked from the global shortcut', {
            sessionId: outcome.sessionId,
            highlight: outcome.highlight.id,
          });
        } else {
          log.warn('the global mark shortcut marked nothing', { ...outcome });
        }
        tellOperator(hotkeyMessage(shellLanguage(eng), outcome), outcome.kind === 'marked');
      });
    },
  });
}

function createWindow(eng: Engine): BrowserWindow {
  const areas = screen.getAllDisplays().map((d) => d.workArea);
  const state = fitWindowState(
    eng.store.settings.getInternal(WINDOW_STATE_KEY, WindowState),
    areas,
  );
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: 'LiveSlice',
    backgroundColor: '#111318',
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  windows.add(win);
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  const save = (): void => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    eng.store.settings.setInternal(WINDOW_STATE_KEY, { ...b, maximized: win.isMaximized() });
  };
  let timer: NodeJS.Timeout | null = null;
  const saveSoon = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
  win.on('closed', () => windows.delete(win));
  if (devServer) void win.loadURL(devServer);
  else void win.loadFile(join(__dirname, '..', 'renderer', 'index.html'));
  return win;
}

/** Vite's dev server needs its HMR socket and the React refresh preamble; dev builds only. */
function devCsp(): string {
  const origin = devServer ? new URL(devServer).origin : '';
  const ws = origin.replace(/^http/, 'ws');
  return RENDERER_CSP.replace("script-src 'self'", `script-src 'self' 'unsafe-inline'`).replace(
    "connect-src 'self'",
    `connect-src 'self' ${ws}`,
  );
}

function argValue(name: string): string | undefined {
  const prefix = `${name}=`;
  const hit = process.argv.find((a) => a.startsWith(prefix));
  return hit ? hit.slice(prefix.length) : undefined;
}
