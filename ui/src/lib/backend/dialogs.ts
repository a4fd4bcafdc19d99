// File dialogs behind the seam, like `call`: they only pick a path (the backend reads or writes
// it). The Tauri implementation opens the native dialogs; unit tests install a scripted one.
export type FileFilter = { name: string; extensions: string[] };

export interface Dialogs {
  /** A path to write to, or null when the user cancelled. */
  save(o: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | null>;
  /** A file to read, or null when the user cancelled. */
  open(o: { title: string; filters: FileFilter[] }): Promise<string | null>;
}

let current: Dialogs | null = null;

export function setDialogs(d: Dialogs): void {
  current = d;
}

function dialogs(): Dialogs {
  if (!current) throw new Error("no file dialogs installed");
  return current;
}

export function pickSavePath(o: Parameters<Dialogs["save"]>[0]): Promise<string | null> {
  return dialogs().save(o);
}

export function pickOpenPath(o: Parameters<Dialogs["open"]>[0]): Promise<string | null> {
  return dialogs().open(o);
}

/** Answers from a script, recording what was asked: for unit tests. */
export class MockDialogs implements Dialogs {
  asked: { kind: "save" | "open"; title: string; defaultName?: string }[] = [];

  constructor(private answers: { save?: string | null; open?: string | null } = {}) {}

  async save(o: Parameters<Dialogs["save"]>[0]) {
    this.asked.push({ kind: "save", title: o.title, defaultName: o.defaultName });
    return this.answers.save ?? null;
  }

  async open(o: Parameters<Dialogs["open"]>[0]) {
    this.asked.push({ kind: "open", title: o.title });
    return this.answers.open ?? null;
  }
}
