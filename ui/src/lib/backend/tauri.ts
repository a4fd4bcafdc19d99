// The backend over Tauri's IPC. Every command takes one `req` argument (or none).
import { invoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import type { Backend } from "./index";

export const tauriBackend: Backend = {
  call(cmd, req) {
    return invoke(cmd, req === null ? {} : { req });
  },
  async listen(event, handler) {
    return tauriListen(event, (e) => handler(e.payload as never));
  },
};
