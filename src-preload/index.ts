/** The preload: sandboxed, bundled to one CJS file, exposing exactly the contract (bridge.ts). */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('liveslice', createBridge(ipcRenderer));
