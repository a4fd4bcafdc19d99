//! The TypeScript the window is written against, generated from the Rust types by ts-rs into
//! one committed file, `ui/src/lib/bindings/index.ts`: every DTO, the command map `Api`
//! (command → request and response types) and the live event map `LiveEvents`.
//!
//! The test below fails when the committed file is stale; `make bindings` rewrites it
//! (`HOOKSCOPE_WRITE_BINDINGS=1 cargo test -p hookscope-desktop bindings`).

use ts_rs::TS;

use crate::dto::*;
use crate::error::ApiError;
use crate::live;

/// The committed file, relative to this crate.
pub const PATH: &str = "../ui/src/lib/bindings/index.ts";

/// Every command: name, request type (`null`: no request), response type.
pub fn api() -> Vec<(&'static str, String, String)> {
    fn t<T: TS>() -> String {
        T::name()
    }
    let none = || "null".to_string();
    vec![
        ("app_status", none(), t::<AppStatus>()),
        (
            "capture_start",
            t::<CaptureStartReq>(),
            t::<CaptureStatus>(),
        ),
        (
            "capture_pause",
            t::<CapturePauseReq>(),
            t::<CaptureStatus>(),
        ),
        ("settings_get", none(), t::<Settings>()),
        ("settings_set", t::<SettingsSetReq>(), t::<Settings>()),
        ("event_list", t::<EventListReq>(), t::<Vec<EventSummary>>()),
        ("event_get", t::<EventGetReq>(), t::<EventDetail>()),
        ("event_body", t::<EventBodyReq>(), "ArrayBuffer".to_string()),
        ("event_clear", t::<EventClearReq>(), "number".to_string()),
        ("event_counts", none(), t::<EventCounts>()),
        ("endpoint_list", none(), t::<Vec<EndpointInfo>>()),
        (
            "endpoint_create",
            t::<EndpointCreateReq>(),
            t::<EndpointInfo>(),
        ),
        (
            "endpoint_update",
            t::<EndpointUpdateReq>(),
            t::<EndpointInfo>(),
        ),
        (
            "endpoint_delete",
            t::<EndpointDeleteReq>(),
            "null".to_string(),
        ),
        ("hmac_compute", t::<HmacComputeReq>(), t::<HmacComputeRes>()),
        (
            "forward_status",
            t::<ForwardStatusReq>(),
            t::<ForwardStatusRes>(),
        ),
        ("forward_set", t::<ForwardSetReq>(), t::<ForwardStatusRes>()),
        (
            "forward_clear",
            t::<ForwardClearReq>(),
            t::<ForwardStatusRes>(),
        ),
        ("route_list", t::<RouteListReq>(), t::<Vec<RouteInfo>>()),
        ("route_add", t::<RouteAddReq>(), t::<RouteInfo>()),
        ("route_remove", t::<RouteRemoveReq>(), t::<Vec<RouteInfo>>()),
        ("trigger_list", none(), t::<Vec<TriggerTemplate>>()),
        (
            "trigger_capture",
            t::<TriggerCaptureReq>(),
            t::<TriggerCaptureRes>(),
        ),
        ("trigger_send", t::<TriggerSendReq>(), t::<TriggerSendRes>()),
        (
            "event_export",
            t::<EventExportReq>(),
            format!("{} | null", t::<EventExportRes>()),
        ),
        (
            "event_import",
            none(),
            format!("{} | null", t::<EventImportRes>()),
        ),
        (
            "replay_preview",
            t::<ReplayPreviewReq>(),
            t::<ReplayPreviewRes>(),
        ),
        ("replay_send", t::<ReplaySendReq>(), t::<ReplayAttempt>()),
        (
            "replay_list",
            t::<ReplayListReq>(),
            t::<Vec<ReplayAttempt>>(),
        ),
        (
            "replay_body",
            t::<ReplayBodyReq>(),
            "ArrayBuffer".to_string(),
        ),
        (
            "replay_target_get",
            t::<ReplayTargetGetReq>(),
            t::<ReplayTarget>(),
        ),
        (
            "replay_target_set",
            t::<ReplayTargetSetReq>(),
            "null".to_string(),
        ),
        (
            "replay_bulk_start",
            t::<ReplayBulkReq>(),
            t::<ReplayBulkStarted>(),
        ),
        (
            "replay_bulk_stop",
            t::<ReplayBulkStopReq>(),
            "boolean".to_string(),
        ),
    ]
}

/// Every live event: name and payload type.
pub fn live_events() -> Vec<(&'static str, String)> {
    vec![
        (live::EVENTS_CAPTURED_EVENT, Vec::<EventSummary>::name()),
        (live::EVENTS_RELOAD_EVENT, "null".to_string()),
        (live::ENDPOINTS_CHANGED_EVENT, "null".to_string()),
        (live::CAPTURE_STATUS_EVENT, CaptureStatus::name()),
        (live::FOCUS_EVENT, FocusEvent::name()),
        (live::FORWARD_ATTEMPTED_EVENT, ForwardAttempt::name()),
        (live::REPLAY_RECORDED_EVENT, ReplayRecorded::name()),
        (live::REPLAY_BULK_PROGRESS_EVENT, ReplayBulkProgress::name()),
        (live::REPLAY_BULK_DONE_EVENT, ReplayBulkDone::name()),
    ]
}

/// The whole file.
pub fn typescript() -> String {
    let decls = [
        ApiError::decl(),
        EventSummary::decl(),
        EventListReq::decl(),
        EventGetReq::decl(),
        EventBodyReq::decl(),
        EventClearReq::decl(),
        EventCounts::decl(),
        Header::decl(),
        EventDetail::decl(),
        Rejection::decl(),
        SignatureReport::decl(),
        Diagnosis::decl(),
        EndpointInfo::decl(),
        EndpointFields::decl(),
        EndpointCreateReq::decl(),
        EndpointUpdateReq::decl(),
        EndpointDeleteReq::decl(),
        HmacAlgorithm::decl(),
        KeyEncoding::decl(),
        MessageEncoding::decl(),
        OutputEncoding::decl(),
        HmacComputeReq::decl(),
        Substitution::decl(),
        HmacComputeRes::decl(),
        CaptureStatus::decl(),
        AppStatus::decl(),
        CaptureStartReq::decl(),
        CapturePauseReq::decl(),
        NotifyRule::decl(),
        Theme::decl(),
        Settings::decl(),
        SettingsSetReq::decl(),
        FocusEvent::decl(),
        ForwardStatusReq::decl(),
        ForwardTry::decl(),
        ForwardRespond::decl(),
        ForwardSettingsDto::decl(),
        ForwardStatusRes::decl(),
        ForwardSetReq::decl(),
        ForwardClearReq::decl(),
        RouteMatch::decl(),
        RouteInfo::decl(),
        RouteListReq::decl(),
        RouteAddReq::decl(),
        RouteRemoveReq::decl(),
        ForwardNext::decl(),
        ForwardAttempt::decl(),
        TriggerTemplate::decl(),
        TriggerCaptureReq::decl(),
        TriggerCaptureRes::decl(),
        TriggerSendReq::decl(),
        TriggerSendRes::decl(),
        TransferFormat::decl(),
        EventExportReq::decl(),
        EventExportRes::decl(),
        EventImportRes::decl(),
        ReplayEdits::decl(),
        ReplaySpec::decl(),
        ReplayPreviewReq::decl(),
        ResignInfo::decl(),
        SentRequest::decl(),
        ReplayPreviewRes::decl(),
        ReplaySendReq::decl(),
        ReplayAttempt::decl(),
        ReplayListReq::decl(),
        ReplayBodyPart::decl(),
        ReplayBodyReq::decl(),
        ReplayTargetGetReq::decl(),
        ReplayTarget::decl(),
        ReplayTargetSetReq::decl(),
        ReplayBulkReq::decl(),
        ReplayBulkStarted::decl(),
        ReplayBulkStopReq::decl(),
        ReplayBulkProgress::decl(),
        ReplayBulkDone::decl(),
        ReplayRecorded::decl(),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/src/dto.rs by ts-rs (`make bindings`). Do not edit.\n\n",
    );
    for d in decls {
        out += "export ";
        out += &d;
        out += "\n\n";
    }
    out += "/** Every command: its request (`null`: none) and response. */\nexport type Api = {\n";
    for (name, req, res) in api() {
        out += &format!("  {name}: {{ req: {req}; res: {res} }};\n");
    }
    out += "};\n\n/** Every live event and its payload. */\nexport type LiveEvents = {\n";
    for (name, payload) in live_events() {
        out += &format!("  \"{name}\": {payload};\n");
    }
    out += "};\n";
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn here(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    #[test]
    fn bindings_are_fresh() {
        let path = here(PATH);
        let generated = typescript();
        if std::env::var_os("HOOKSCOPE_WRITE_BINDINGS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale: run `make bindings` and commit it",
            path.display()
        );
    }

    #[test]
    fn every_command_is_listed_for_the_manifest_and_granted_and_nothing_else() {
        let names: Vec<&str> = api().iter().map(|(n, _, _)| *n).collect();
        let listed: Vec<&str> = include_str!("../commands.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(names, listed);
        let cap: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(here("capabilities/default.json")).unwrap(),
        )
        .unwrap();
        let (plugins, granted): (Vec<&str>, Vec<&str>) = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .partition(|p| p.contains(':'));
        // Besides the app's commands, live events only (the backend opens file dialogs itself).
        assert_eq!(
            plugins,
            ["core:event:allow-listen", "core:event:allow-unlisten"]
        );
        let expected: Vec<String> = names
            .iter()
            .map(|n| format!("allow-{}", n.replace('_', "-")))
            .collect();
        assert_eq!(granted, expected);
    }
}
