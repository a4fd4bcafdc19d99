// The test-event picker's logic: templates grouped by provider, and sending a test event into an
// endpoint or to a handler, where a target other than loopback is refused until the user
// confirms (the backend's `remote_target` error), then retried with `allowRemote`.
import { call } from "../backend";
import type { EndpointInfo, TriggerCaptureRes, TriggerSendReq, TriggerSendRes, TriggerTemplate } from "../bindings";
import { withRemoteConsent } from "../replay/edits";

export const DEFAULT_TARGET = "http://localhost:3000";

/** Providers in catalog order, each with its templates. */
export function groupByProvider(templates: TriggerTemplate[]): [string, TriggerTemplate[]][] {
  const groups = new Map<string, TriggerTemplate[]>();
  for (const t of templates) groups.set(t.provider, [...(groups.get(t.provider) ?? []), t]);
  return [...groups];
}

/** The endpoint to preselect: the shown one, else one whose provider matches, else the first. */
export function preferredEndpoint(endpoints: EndpointInfo[], provider: string, current: string): string {
  if (current && endpoints.some((e) => e.slug === current)) return current;
  const match = endpoints.find((e) => e.provider === provider && e.maskedSecrets.length > 0) ?? endpoints.find((e) => e.maskedSecrets.length > 0);
  return (match ?? endpoints[0])?.slug ?? "";
}

/** How the event will be signed, in words. */
export function signingNote(endpoints: EndpointInfo[], slug: string): string {
  const e = endpoints.find((x) => x.slug === slug);
  if (!e) return "unsigned";
  return e.maskedSecrets.length ? `signed with ${slug}'s secret ${e.maskedSecrets[0]}` : `unsigned: ${slug} has no secret`;
}

export function describeCapture(res: TriggerCaptureRes): string {
  return `#${res.id} on ${res.endpoint}, ${res.signed ? "signed" : "unsigned (no secret)"}, answered ${res.responseStatus}`;
}

/** One line for the handler's answer. */
export function describeAnswer(res: TriggerSendRes): string {
  if (res.status === null) return `No answer from ${res.url}: ${res.error ?? "unknown error"}`;
  return `${res.status} from ${res.url} in ${res.latencyMs} ms${res.signed ? "" : " (sent unsigned)"}`;
}

export function answered2xx(res: TriggerSendRes): boolean {
  return res.status !== null && res.status >= 200 && res.status < 300;
}

/**
 * Send to a handler. A remote target is refused by the backend (`remote_target`) until the user
 * agrees through `ask` — the replay UI's one consent flow; `null`: they declined.
 */
export async function sendToHandler(req: Omit<TriggerSendReq, "allowRemote">, ask: (reason: string) => Promise<boolean>): Promise<TriggerSendRes | null> {
  return withRemoteConsent((allowRemote) => call("trigger_send", { ...req, allowRemote }), ask);
}
