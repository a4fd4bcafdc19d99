// The native file dialogs (Tauri's dialog plugin, granted open and save only).
//
// NOTE: WebDriver cannot drive a native dialog. When the app was started with
// HOOKSCOPE_TEST_SAVE_PATH / HOOKSCOPE_TEST_OPEN_PATH, `app_status` reports them and the dialog
// answers that path without opening; everything after the dialog is the same code path.
import { open, save } from "@tauri-apps/plugin-dialog";
import { call } from "./index";
import type { Dialogs } from "./dialogs";

async function testPaths() {
  return (await call("app_status", null)).testDialogs;
}

export const tauriDialogs: Dialogs = {
  async save({ title, defaultName, filters }) {
    const preset = (await testPaths())?.savePath;
    if (preset) return preset;
    return (await save({ title, defaultPath: defaultName, filters })) ?? null;
  },
  async open({ title, filters }) {
    const preset = (await testPaths())?.openPath;
    if (preset) return preset;
    const picked = await open({ title, filters, multiple: false, directory: false });
    return typeof picked === "string" ? picked : null;
  },
};
