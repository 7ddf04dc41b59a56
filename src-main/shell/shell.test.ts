/**
 * The built Electron shell (out/main/shell.js), loaded in Node with a fake `electron` module, so
 * its security wiring is tested even where no Electron binary exists. The Electron e2e test drives
 * the real thing where the binary is installed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES, methodChannel } from '../api/contract';
import { RENDERER_CSP } from '../security/csp';
import { DB_FILE, openStore } from '../store';
import { freePort } from '../testing/ports';

const OUT = join(__dirname, '..', '..', 'out');
const SHELL = join(OUT, 'main', 'shell.js');

type Listener = (...args: unknown[]) => unknown;

class FakeWebContents {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly listeners = new Map<string, Listener>();
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  on(event: string, fn: Listener) {
    this.listeners.set(event, fn);
    return this;
  }
  setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
    this.openHandler = fn;
  }
  send() {}
  isDestroyed() {
    return false;
  }
}

function fakeElectron() {
  const state = {
    schemes: [] as Array<{ scheme: string; privileges: Record<string, boolean> }>,
    ipc: new Map<string, Listener>(),
    protocols: new Map<string, (req: Request) => Promise<Response>>(),
    windows: [] as FakeWindow[],
    opened: [] as string[],
    appEvents: new Map<string, Listener[]>(),
    sandboxEnforced: false,
    singleInstance: false,
    permissionRequest: null as Listener | null,
    headers: null as Listener | null,
    shortcuts: new Map<string, () => void>(),
    notifications: [] as Array<{ title: string; body: string }>,
  };
  const emitApp = (event: string, ...args: unknown[]) =>
    (state.appEvents.get(event) ?? []).forEach((fn) => fn(...args));
  class FakeWindow {
    readonly webContents = new FakeWebContents();
    loaded: string | null = null;
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      state.windows.push(this);
      emitApp('web-contents-created', {}, this.webContents);
    }
    once() {}
    on() {}
    maximize() {}
    isMaximized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
    getNormalBounds() {
      return { x: 10, y: 10, width: 1200, height: 800 };
    }
    loadFile(p: string) {
      this.loaded = p;
      return Promise.resolve();
    }
    loadURL() {
      return Promise.resolve();
    }
  }
  const electron = {
    app: {
      isPackaged: true,
      setPath: () => {},
      requestSingleInstanceLock: () => (state.singleInstance = true),
      enableSandbox: () => (state.sandboxEnforced = true),
      on: (event: string, fn: Listener) => {
        state.appEvents.set(event, [...(state.appEvents.get(event) ?? []), fn]);
      },
      whenReady: () => Promise.resolve(),
      getLocale: () => 'zh-CN',
      quit: () => {},
      exit: () => {},
    },
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, fn: Listener) => state.ipc.set(channel, fn),
      removeHandler: (channel: string) => state.ipc.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: typeof state.schemes) => state.schemes.push(...s),
      handle: (scheme: string, fn: (req: Request) => Promise<Response>) =>
        state.protocols.set(scheme, fn),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => (state.permissionRequest = fn),
        setPermissionCheckHandler: () => {},
        webRequest: { onHeadersReceived: (fn: Listener) => (state.headers = fn) },
      },
    },
    shell: {
      openExternal: (url: string) => (state.opened.push(url), Promise.resolve()),
      showItemInFolder: (path: string) => state.opened.push(`reveal:${path}`),
    },
    nativeImage: { createFromDataURL: (url: string) => ({ dataUrl: url }) },
    globalShortcut: {
      register: (accelerator: string, fn: () => void) => (
        state.shortcuts.set(accelerator, fn),
        true
      ),
      unregister: (accelerator: string) => state.shortcuts.delete(accelerator),
    },
    Notification: class {
      static isSupported() {
        return true;
      }
      constructor(private readonly options: { title: string; body: string }) {}
      show() {
        state.notifications.push({ title: this.options.title, body: this.options.body });
      }
    },
    dialog: { showMessageBox: () => Promise.resolve({ response: 0 }) },
    // A keychain stand-in: the vault must store what it returns, never the plain secret.
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (s: string) => Buffer.from(s, 'utf8').reverse(),
      decryptString: (b: Buffer) => Buffer.from(b).reverse().toString('utf8'),
    },
  };
  return { electron, state, emitApp };
}

let dataDir: string;
let fake: ReturnType<typeof fakeElectron>;
const originalLoad = (Module as unknown as { _load: Listener })._load;
const originalArgv = process.argv;

beforeAll(async () => {
  if (!existsSync(SHELL))
    throw new Error(`${SHELL} is missing: run \`npm run build\` before the tests`);
  dataDir = mkdtempSync(join(tmpdir(), 'liveslice-shell-'));
  mkdirSync(join(dataDir, 'sessions', 's1'), { recursive: true });
  writeFileSync(join(dataDir, 'sessions', 's1', 'seg.ts'), '0123456789');
  // The shell starts the push listeners: keep them off the real OBS ports.
  const seed = openStore(dataDir);
  seed.settings.set({ key: 'ingest.rtmpPort', value: await freePort() });
  seed.settings.set({ key: 'ingest.srtPort', value: await freePort() });
  seed.close();
  fake = fakeElectron();
  (Module as unknown as { _load: Listener })._load = function (
    this: unknown,
    request: unknown,
    ...rest: unknown[]
  ) {
    if (request === 'electron') return fake.electron;
    return originalLoad.call(this, request, ...rest);
  };
  process.argv = [...originalArgv, `--data-dir=${dataDir}`];
  createRequire(__filename)(SHELL);
  await vi.waitFor(() => expect(fake.state.windows).toHaveLength(1), { timeout: 5000 });
});

afterAll(async () => {
  const quit = vi.fn();
  fake?.emitApp('before-quit', { preventDefault: quit });
  await vi.waitFor(() => expect(quit).toHaveBeenCalled());
  fake?.emitApp('will-quit', {});
  (Module as unknown as { _load: Listener })._load = originalLoad;
  process.argv = originalArgv;
  rmSync(dataDir, { recursive: true, force: true });
});

const win = () => fake.state.windows[0]!;
const ownPage = () => pathToFileURL(join(OUT, 'renderer', 'index.html')).href;

describe('the Electron shell', () => {
  it('locks to one instance, enforces the sandbox and registers the media scheme as privileged', () => {
    expect(fake.state.singleInstance).toBe(true);
    expect(fake.state.sandboxEnforced).toBe(true);
    expect(fake.state.schemes).toEqual([
      expect.objectContaining({
        scheme: 'liveslice-media',
        privileges: expect.objectContaining({ secure: true, standard: true }),
      }),
    ]);
  });

  it('creates the window isolated and sandboxed, with the built preload and page', () => {
    const prefs = win().options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(existsSync(prefs['preload'] as string)).toBe(true);
    expect(win().loaded).toBe(join(OUT, 'renderer', 'index.html'));
  });

  it('registers exactly the contract on IPC and refuses unknown senders', async () => {
    expect([...fake.state.ipc.keys()].sort()).toEqual(METHOD_NAMES.map(methodChannel).sort());
    const call = fake.state.ipc.get(methodChannel('app.info'))!;
    const frame = { url: ownPage(), parent: null };
    await expect(
      call({ sender: { id: win().webContents.id }, senderFrame: frame }, {}),
    ).resolves.toMatchObject({
      ok: true,
      value: { transport: 'electron', dataDir, systemLanguage: 'zh-CN' },
    });
    await expect(call({ sender: { id: 999 }, senderFrame: frame }, {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await expect(
      call(
        {
          sender: { id: win().webContents.id },
          senderFrame: { url: 'https://evil.example/', parent: null },
        },
        {},
      ),
    ).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('stores publish secrets through safeStorage, never as plain text', async () => {
    const call = fake.state.ipc.get(methodChannel('publish.saveTarget'))!;
    const frame = { url: ownPage(), parent: null };
    const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
    const r = await call(
      { sender: { id: win().webContents.id }, senderFrame: frame },
      {
        target: {
          id: 'oss',
          name: 'OSS',
          enabled: true,
          kind: 's3',
          endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
          region: 'oss-cn-hangzhou',
          bucket: 'my-clips',
          prefix: 'live/',
          pathStyle: false,
          accessKeyId: 'AKIDEXAMPLE',
          publicBaseUrl: null,
        },
        secret,
      },
    );
    expect(r).toMatchObject({ ok: true, value: { targets: [{ hasSecret: true }] } });
    const db = new Database(join(dataDir, DB_FILE), { readonly: true });
    try {
      const row = db.prepare('SELECT backend, blob FROM credentials').get() as {
        backend: string;
        blob: Buffer;
      };
      expect(row.backend).toBe('safeStorage');
      expect(row.blob.toString('utf8')).not.toContain(secret);
    } finally {
      db.close();
    }
  });

  it('serves session media with Range, and nothing outside the data directory', async () => {
    const handle = fake.state.protocols.get('liveslice-media')!;
    const part = await handle(
      new Request('liveslice-media://session/sessions/s1/seg.ts', {
        headers: { Range: 'bytes=3-5' },
      }),
    );
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('345');
    for (const evil of [
      'liveslice-media://session/..%2f..%2fetc/passwd',
      'liveslice-media://session/%2fetc%2fpasswd',
      'liveslice-media://other/sessions/s1/seg.ts',
    ]) {
      const res = await handle(new Request(evil));
      expect(res.status, evil).toBeGreaterThanOrEqual(400);
    }
  });

  it('blocks navigation away from the app and sends only http(s) links to the OS browser', () => {
    const wc = win().webContents;
    const navigate = wc.listeners.get('will-navigate')!;
    const prevented = vi.fn();
    navigate({ preventDefault: prevented }, 'https://evil.example/');
    expect(prevented).toHaveBeenCalledTimes(1);
    navigate({ preventDefault: prevented }, ownPage());
    expect(prevented).toHaveBeenCalledTimes(1);

    expect(wc.openHandler!({ url: 'https://www.douyin.com/' })).toEqual({ action: 'deny' });
    expect(wc.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(wc.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(fake.state.opened).toEqual(['https://www.douyin.com/']);
  });

  it('denies permission requests and sends the CSP header', () => {
    const cb = vi.fn();
    fake.state.permissionRequest!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    const headers = vi.fn();
    fake.state.headers!({ responseHeaders: { 'X-Other': ['1'] } }, headers);
    expect(headers).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [RENDERER_CSP] },
    });
  });

  it('registers the global mark shortcut; with nothing live it says so; quitting unregisters it', async () => {
    const press = fake.state.shortcuts.get('CommandOrControl+Shift+M');
    expect(press).toBeDefined();
    press!();
    // The fake locale is zh-CN and ui.language is 'system': the message is in Chinese.
    await vi.waitFor(() => expect(fake.state.notifications).toHaveLength(1));
    expect(fake.state.notifications[0]!.body).toContain('没有正在直播的场次');
    fake.emitApp('will-quit', {});
    expect(fake.state.shortcuts.size).toBe(0);
  });
});
