// Generated from src-tauri/src/dto.rs by ts-rs (`make bindings`). Do not edit.

export type ApiError = { 
/**
 * `not_found`, `invalid`, `conflict`, `store_failed`, `io`, `in_use`, `bind_failed`,
 * `bad_key`, `bad_message`, `unknown_placeholder`, `unclosed_placeholder`, `decode_failed`,
 * `internal`.
 */
code: string, message: string, };

export type EventSummary = { id: number, endpoint: string, 
/**
 * Microseconds since the Unix epoch.
 */
receivedAtUs: number, method: string, path: string, query: string, bodySize: number, contentType: string | null, provider: string | null, eventType: string | null, eventId: string | null, 
/**
 * `valid`, `invalid`, `stale`, `missing`, `no_secret`, `unsupported`; none when no provider
 * was recognised.
 */
signatureStatus: string | null, duplicateOf: number | null, responseStatus: number, rejected: string | null, 
/**
 * Brought in by an import (with its original time) rather than captured.
 */
imported: boolean, };

export type EventListReq = { endpoint?: string, method?: string, provider?: string, signatureStatus?: string, search?: string, 
/**
 * Only ids below this one (the last id of the previous page).
 */
before?: number, 
/**
 * At most this many (1–1000, 200 when unset).
 */
limit?: number, };

export type EventGetReq = { id: number, };

export type EventBodyReq = { id: number, 
/**
 * Undo the `Content-Encoding` (gzip, deflate, br) before sending, capped.
 */
decoded: boolean, };

export type EventClearReq = { 
/**
 * Only this endpoint's events; all when unset.
 */
endpoint?: string, };

export type EventCounts = { counts: Record<string, number>, upto: number, };

export type Header = { name: string, 
/**
 * The value as text; bytes that are not UTF-8 show as replacement characters.
 */
value: string, };

export type EventDetail = { summary: EventSummary, httpVersion: string, 
/**
 * In arrival order; repeated headers are separate entries.
 */
headers: Array<Header>, remoteAddr: string | null, contentEncoding: string | null, rejection: Rejection | null, signature: SignatureReport | null, };

export type Rejection = { reason: string, declaredSize: number | null, limit: number, };

export type SignatureReport = { status: string, reason: string, secretIndex: number | null, recipe: string | null, received: string | null, expected: string | null, timestampAgeSecs: number | null, diagnosis: Array<Diagnosis>, };

export type Diagnosis = { code: string, message: string, explains: boolean, };

export type EndpointInfo = { slug: string, name: string, 
/**
 * The capture URL, when the server is listening.
 */
url: string | null, provider: string | null, maskedSecrets: Array<string>, notify: boolean, maxBody: number, responseStatus: number, handshakes: boolean, };

export type EndpointFields = { name?: string, 
/**
 * Replaces all secrets when set.
 */
secrets?: Array<string>, 
/**
 * A provider id that overrides detection; `""` clears it.
 */
provider?: string, notify?: boolean, maxBody?: number, responseStatus?: number, };

export type EndpointCreateReq = { slug: string, fields: EndpointFields, };

export type EndpointUpdateReq = { slug: string, fields: EndpointFields, };

export type EndpointDeleteReq = { slug: string, };

export type HmacAlgorithm = "sha1" | "sha256" | "sha384" | "sha512";

export type KeyEncoding = "utf8" | "hex" | "base64" | "whsec";

export type MessageEncoding = "text" | "hex" | "base64";

export type OutputEncoding = "hex" | "base64" | "base64url";

export type HmacComputeReq = { algorithm: HmacAlgorithm, key: string, keyEncoding: KeyEncoding, message: string, messageEncoding: MessageEncoding, 
/**
 * Use this event's raw body as the message instead of `message`.
 */
eventId?: number, 
/**
 * E.g. `{timestamp}.{body}`.
 */
template?: string, substitutions: Array<Substitution>, outputEncoding: OutputEncoding, outputPrefix?: string, compareWith?: string, };

export type Substitution = { name: string, value: string, };

export type HmacComputeRes = { digest: string, signedLen: number, signedPreview: string, previewTruncated: boolean, matches: boolean | null, };

export type CaptureStatus = { 
/**
 * The address asked for.
 */
requested: string, 
/**
 * The base URL it listens on (`http://127.0.0.1:8787`), when listening.
 */
url: string | null, 
/**
 * Paused by the user (from the tray or the window).
 */
paused: boolean, 
/**
 * Why it is not listening.
 */
error: ApiError | null, };

export type AppStatus = { capture: CaptureStatus, dataDir: string, version: string, eventCount: number, };

export type CaptureStartReq = { 
/**
 * `host:port`, e.g. `127.0.0.1:8788`.
 */
listen: string, };

export type CapturePauseReq = { paused: boolean, };

export type NotifyRule = "all" | "invalid_signature" | "event_type" | "failed_forward";

export type Theme = "system" | "light" | "dark";

export type Settings = { 
/**
 * Where capture listens; `HOOKSCOPE_LISTEN` overrides it at launch.
 */
listen: string, notifyEnabled: boolean, notifyRule: NotifyRule, notifyEventType: string, 
/**
 * Closing the window keeps capturing in the tray.
 */
closeToTray: boolean, 
/**
 * Start Hookscope when the user logs in.
 */
startAtLogin: boolean, theme: Theme, retentionMaxEvents: number | null, retentionMaxAgeDays: number | null, };

export type SettingsSetReq = { settings: Settings, };

export type FocusEvent = { id: number, };

export type ForwardStatusReq = { slug: string, };

export type ForwardTry = { id: number, eventId: number, attempt: number, 
/**
 * RFC 3339, UTC.
 */
createdAt: string, target: string, 
/**
 * `None` when the target did not answer (then `error` says why).
 */
status: number | null, error: string | null, latencyMs: number | null, };

export type ForwardRespond = "rule" | "target";

export type ForwardSettingsDto = { 
/**
 * Each try waits this long for the target's whole answer.
 */
timeoutMs: number, 
/**
 * The wait before the second try; it doubles per try up to `retry_max_ms`.
 */
retryInitialMs: number, retryMaxMs: number, 
/**
 * Tries for an event answered with 5xx before moving on; 0 keeps trying.
 */
maxAttempts: number, 
/**
 * Allow a target that is not loopback (the UI asks the user first).
 */
allowRemote: boolean, followRedirects: boolean, 
/**
 * What the provider gets back: the endpoint's response rule at once, or the target's own
 * answer (waited for inline, within `respond_timeout_ms`).
 */
respond: ForwardRespond, 
/**
 * Keep it below the provider's own delivery timeout.
 */
respondTimeoutMs: number, };

export type ForwardStatusRes = { endpoint: string, 
/**
 * `None` when auto-forward is off.
 */
target: string | null, 
/**
 * The settings in force, or the defaults when off (what the editor starts from).
 */
settings: ForwardSettingsDto, 
/**
 * Events captured but not yet delivered.
 */
backlog: number, 
/**
 * The newest tries, newest first.
 */
recent: Array<ForwardTry>, 
/**
 * Whether this app is the process delivering for its data dir; false while another one
 * (say `hookscope serve` on the same data dir) holds the forward lock.
 */
delivering: boolean, };

export type ForwardSetReq = { slug: string, target: string, settings: ForwardSettingsDto, };

export type ForwardClearReq = { slug: string, };

export type RouteMatch = "path_prefix" | "event_type";

export type RouteInfo = { 
/**
 * 1-based, in matching order.
 */
position: number, kind: RouteMatch, pattern: string, target: string, 
/**
 * The user agreed to this route's target being off this machine.
 */
allowRemote: boolean, };

export type RouteListReq = { slug: string, };

export type RouteAddReq = { slug: string, kind: RouteMatch, pattern: string, target: string, 
/**
 * Allow a target that is not loopback (the UI asks the user first).
 */
allowRemote: boolean, };

export type RouteRemoveReq = { slug: string, 
/**
 * As listed, 1-based.
 */
position: number, };

export type ForwardNext = "delivered" | "retrying" | "gave_up";

export type ForwardAttempt = { endpoint: string, eventId: number, 
/**
 * The try's row in the replays.
 */
replayId: number, attempt: number, target: string, status: number | null, error: string | null, state: ForwardNext, 
/**
 * Not answered with 2xx.
 */
failed: boolean, };

export type TriggerTemplate = { provider: string, event: string, description: string, };

export type TriggerCaptureReq = { provider: string, event: string, endpoint: string, 
/**
 * Sign with this secret instead of the endpoint's first one.
 */
secret?: string, };

export type TriggerCaptureRes = { id: number, endpoint: string, 
/**
 * False when there was no secret to sign with.
 */
signed: boolean, 
/**
 * What the endpoint's response rule answered.
 */
responseStatus: number, };

export type TriggerSendReq = { provider: string, event: string, url: string, 
/**
 * Sign with this endpoint's first secret (secrets never travel to the window).
 */
endpoint?: string, 
/**
 * Sign with this secret (wins over `endpoint`).
 */
secret?: string, 
/**
 * Send to a host other than loopback; refused with `remote_target` otherwise.
 */
allowRemote: boolean, timeoutMs?: number, };

export type TriggerSendRes = { url: string, signed: boolean, status: number | null, headers: Array<Header>, 
/**
 * The answer's body as text (invalid UTF-8 replaced), its first 64 KiB.
 */
body: string, bodySize: number, bodyTruncated: boolean, latencyMs: number, 
/**
 * In words, when the target did not answer.
 */
error: string | null, };

export type TransferFormat = "har" | "ndjson";

export type EventExportReq = { 
/**
 * The file name the dialog suggests.
 */
fileName: string, format: TransferFormat, 
/**
 * Only this endpoint's events; all when unset.
 */
endpoint?: string, };

export type EventExportRes = { path: string, fileName: string, count: number, bytes: number, };

export type EventImportRes = { fileName: string, format: TransferFormat, imported: number, 
/**
 * Ids the events got, in file order.
 */
ids: Array<number>, 
/**
 * Endpoints the file named that did not exist and were created.
 */
createdEndpoints: Array<string>, };

export type ReplayEdits = { method?: string, 
/**
 * The path after the target's path; `?…` replaces the query too.
 */
path?: string, 
/**
 * The whole header table, replacing the captured headers (repeats and order kept).
 */
headers?: Array<Header>, 
/**
 * The body as text (UTF-8), replacing the captured bytes.
 */
body?: string, };

export type ReplaySpec = { eventId: number, 
/**
 * Default: the endpoint's route, remembered target, forward target, else
 * `http://localhost:3000`.
 */
target?: string, edits: ReplayEdits, 
/**
 * Replace the provider's signature headers with fresh ones.
 */
resign: boolean, };

export type ReplayPreviewReq = { spec: ReplaySpec, };

export type ResignInfo = { provider: string | null, secretMasked: string | null, 
/**
 * Why re-signing is not possible; none when it is.
 */
unavailable: string | null, };

export type SentRequest = { method: string, url: string, 
/**
 * Exactly as sent, `Host` and `Content-Length` included.
 */
headers: Array<Header>, bodySize: number, 
/**
 * The provider whose signature headers were replaced.
 */
resigned: string | null, edited: boolean, };

export type ReplayPreviewRes = { 
/**
 * The base target the request goes to (before the path after the slug is appended).
 */
target: string, 
/**
 * Whether the target is loopback; any other host needs the user's confirmation.
 */
loopback: boolean, request: SentRequest, resign: ResignInfo, };

export type ReplaySendReq = { spec: ReplaySpec, 
/**
 * The user confirmed sending to a host that is not loopback.
 */
allowRemote: boolean, 
/**
 * Remember the target for the endpoint's next replays.
 */
remember: boolean, timeoutMs?: number, };

export type ReplayAttempt = { id: number, eventId: number, 
/**
 * `replay` or `forward`.
 */
kind: string, attempt: number, createdAtUs: number, target: string, 
/**
 * None when the attempt could not even be prepared.
 */
sent: SentRequest | null, 
/**
 * None, with `error`, when the target did not answer.
 */
status: number | null, responseHeaders: Array<Header>, 
/**
 * The whole answer body's size (only the first 1 MiB is kept).
 */
responseSize: number | null, latencyMs: number | null, error: string | null, };

export type ReplayListReq = { eventId: number, };

export type ReplayBodyPart = "sent" | "response";

export type ReplayBodyReq = { 
/**
 * The attempt's id.
 */
id: number, part: ReplayBodyPart, };

export type ReplayTargetGetReq = { slug: string, };

export type ReplayTarget = { 
/**
 * The remembered target, else the endpoint's forward target, else `http://localhost:3000`.
 */
target: string, 
/**
 * Whether `target` was remembered (rather than a fallback).
 */
remembered: boolean, };

export type ReplayTargetSetReq = { slug: string, 
/**
 * None forgets it.
 */
target: string | null, };

export type ReplayBulkReq = { 
/**
 * These events (sent oldest first); when unset, `filter` selects.
 */
ids?: Array<number>, filter?: EventListReq, 
/**
 * At most this many events from the filter (default 1000).
 */
limit?: number, 
/**
 * Default: each event's own target.
 */
target?: string, 
/**
 * Requests per second; unset: as fast as the target answers.
 */
ratePerSecond?: number, resign: boolean, allowRemote: boolean, };

export type ReplayBulkStarted = { runId: number, total: number, };

export type ReplayBulkStopReq = { runId: number, };

export type ReplayBulkProgress = { runId: number, done: number, total: number, succeeded: number, failed: number, eventId: number, status: number | null, 
/**
 * Why this event got no 2xx answer, in words (none when the target answered).
 */
error: string | null, };

export type ReplayBulkDone = { runId: number, sent: number, succeeded: number, failed: number, stopped: boolean, };

export type ReplayRecorded = { eventId: number, };

/** Every command: its request (`null`: none) and response. */
export type Api = {
  app_status: { req: null; res: AppStatus };
  capture_start: { req: CaptureStartReq; res: CaptureStatus };
  capture_pause: { req: CapturePauseReq; res: CaptureStatus };
  settings_get: { req: null; res: Settings };
  settings_set: { req: SettingsSetReq; res: Settings };
  event_list: { req: EventListReq; res: Array<EventSummary> };
  event_get: { req: EventGetReq; res: EventDetail };
  event_body: { req: EventBodyReq; res: ArrayBuffer };
  event_clear: { req: EventClearReq; res: number };
  event_counts: { req: null; res: EventCounts };
  endpoint_list: { req: null; res: Array<EndpointInfo> };
  endpoint_create: { req: EndpointCreateReq; res: EndpointInfo };
  endpoint_update: { req: EndpointUpdateReq; res: EndpointInfo };
  endpoint_delete: { req: EndpointDeleteReq; res: null };
  hmac_compute: { req: HmacComputeReq; res: HmacComputeRes };
  forward_status: { req: ForwardStatusReq; res: ForwardStatusRes };
  forward_set: { req: ForwardSetReq; res: ForwardStatusRes };
  forward_clear: { req: ForwardClearReq; res: ForwardStatusRes };
  route_list: { req: RouteListReq; res: Array<RouteInfo> };
  route_add: { req: RouteAddReq; res: RouteInfo };
  route_remove: { req: RouteRemoveReq; res: Array<RouteInfo> };
  trigger_list: { req: null; res: Array<TriggerTemplate> };
  trigger_capture: { req: TriggerCaptureReq; res: TriggerCaptureRes };
  trigger_send: { req: TriggerSendReq; res: TriggerSendRes };
  event_export: { req: EventExportReq; res: EventExportRes | null };
  event_import: { req: null; res: EventImportRes | null };
  replay_preview: { req: ReplayPreviewReq; res: ReplayPreviewRes };
  replay_send: { req: ReplaySendReq; res: ReplayAttempt };
  replay_list: { req: ReplayListReq; res: Array<ReplayAttempt> };
  replay_body: { req: ReplayBodyReq; res: ArrayBuffer };
  replay_target_get: { req: ReplayTargetGetReq; res: ReplayTarget };
  replay_target_set: { req: ReplayTargetSetReq; res: null };
  replay_bulk_start: { req: ReplayBulkReq; res: ReplayBulkStarted };
  replay_bulk_stop: { req: ReplayBulkStopReq; res: boolean };
};

/** Every live event and its payload. */
export type LiveEvents = {
  "events-captured": Array<EventSummary>;
  "events-reload": null;
  "endpoints-changed": null;
  "capture-status": CaptureStatus;
  "event-focus": FocusEvent;
  "forward-attempted": ForwardAttempt;
  "replay-recorded": ReplayRecorded;
  "replay-bulk-progress": ReplayBulkProgress;
  "replay-bulk-done": ReplayBulkDone;
};
