import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { setBackend } from "./lib/backend";
import { tauriBackend } from "./lib/backend/tauri";

setBackend(tauriBackend);

const target = document.getElementById("app");
if (!target) throw new Error("missing #app");
export default mount(App, { target });
