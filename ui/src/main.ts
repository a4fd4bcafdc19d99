import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { setBackend } from "./lib/backend";
import { setDialogs } from "./lib/backend/dialogs";
import { tauriBackend } from "./lib/backend/tauri";
import { tauriDialogs } from "./lib/backend/tauri-dialogs";

setBackend(tauriBackend);
setDialogs(tauriDialogs);

const target = document.getElementById("app");
if (!target) throw new Error("missing #app");
export default mount(App, { target });
