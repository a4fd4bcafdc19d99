// Every failure the user must know about becomes a toast with its reason; nothing fails silently.
import { BackendError } from "../backend";

export type Toast = { id: number; kind: "error" | "info"; title: string; message: string };

let next = 1;

class Toasts {
  items = $state<Toast[]>([]);

  push(kind: Toast["kind"], title: string, message: string): void {
    const id = next++;
    this.items = [...this.items, { id, kind, title, message }];
    setTimeout(() => this.dismiss(id), kind === "error" ? 10000 : 4000);
  }

  error(title: string, e: unknown): void {
    const err = BackendError.from(e);
    this.push("error", title, err.message);
  }

  info(title: string, message = ""): void {
    this.push("info", title, message);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
