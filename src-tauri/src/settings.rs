//! The app's settings: shell settings as one JSON value in the store's settings table (so they
//! live with the data dir), retention through the core's own keys (shared with the CLI).
//! A value that does not parse falls back to the defaults rather than blocking the app.

use hookscope_core::store::{Store, settings};

use crate::dto::Settings;
use crate::error::ApiResult;

const KEY: &str = "desktop.settings";

pub fn load(store: &Store) -> ApiResult<Settings> {
    Ok(store.read(|c| {
        let mut s: Settings = settings::get(c, KEY)?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default();
        let r = settings::retention(c)?;
        s.retention_max_events = r.max_events;
        s.retention_max_age_days = r.max_age_days;
        Ok(s)
    })?)
}

pub fn save(store: &Store, s: &Settings) -> ApiResult<()> {
    let json = serde_json::to_string(s).map_err(crate::error::ApiError::internal)?;
    Ok(store.write(|tx| {
        settings::set(tx, KEY, Some(&json))?;
        settings::set_retention(
            tx,
            settings::Retention {
                max_events: s.retention_max_events,
                max_age_days: s.retention_max_age_days,
            },
        )
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::NotifyRule;

    #[test]
    fn settings_round_trip_with_retention() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Default::default()).unwrap();
        assert_eq!(load(&store).unwrap(), Settings::default());
        let s = Settings {
            notify_rule: NotifyRule::InvalidSignature,
            close_to_tray: false,
            retention_max_events: Some(500),
            ..Settings::default()
        };
        save(&store, &s).unwrap();
        assert_eq!(load(&store).unwrap(), s);
    }
}
