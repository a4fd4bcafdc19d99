//! Answering the provider with the forward target's own answer (auto-forward with `respond =
//! target`), so a handler's status, headers and body reach the provider as if it had been called
//! directly, while Hookscope still captures everything.
//!
//! Invariants:
//! - The request is committed first, marked `answered_by_target` ([`crate::capture::Prepared::
//!   answer_by_target`]); only then is the target tried, once, through the replay engine (routes
//!   apply), within the respond timeout. The background forwarder never sends such a request
//!   again ([`crate::forward`]).
//! - The try is recorded in `replays` as forward attempt 1, the request's stored status becomes
//!   what the provider was answered, and the try is announced on the hub — before the provider
//!   is answered.
//! - No answer in time is `504`, no answer at all (refused, broken, not allowed) `502`, each with
//!   a short plain-text reason; the provider's retry is a new event.
//! - The try runs on its own task: a provider that hangs up does not abandon it unrecorded.
//!
//! NOTE: a request stored this way whose try never ran (Hookscope stopped in between) keeps the
//! stored 502 and no try; the provider got no answer either, so its retry arrives as a new event.

use std::time::Duration;

use crate::Engine;
use crate::forward::announce;
use crate::hub::ForwardState;
use crate::model::Header;
use crate::model::{Endpoint, Event};
use crate::replay::target::Target;
use crate::replay::{self, Delivery, Edits, SendOptions, blocking, client};
use crate::store::replays::{self, Kind, Replay};
use crate::store::{events, forwards, routes};
use crate::{Error, Result};

/// The answer for the provider: the target's, or Hookscope's reason why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    pub status: u16,
    /// Without hop-by-hop headers; `content-length` for `body`.
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
}

/// Try the forward target with stored request `event_id` and say what to answer the provider.
/// Call after the request was committed with [`crate::capture::Prepared::answer_by_target`].
pub async fn answer_from_target(engine: &Engine, event_id: i64, timeout: Duration) -> Relayed {
    let engine = engine.clone();
    let task = tokio::spawn(async move { relay_once(&engine, event_id, timeout).await });
    match task.await {
        Ok(relayed) => relayed,
        Err(e) => reason(502, format!("the forward try failed: {e}")),
    }
}

/// What was loaded to make the try.
struct Loaded {
    event: Event,
    endpoint: Endpoint,
    url: String,
    options: SendOptions,
}

async fn relay_once(engine: &Engine, id: i64, timeout: Duration) -> Relayed {
    let reader = engine.store().clone();
    let loaded = blocking(move || {
        reader.read(|c| {
            let event = events::get(c, id)?;
            let slug = event.summary.endpoint.clone();
            let endpoint = crate::store::endpoints::get(c, &slug)?;
            let state = forwards::get(c, &slug)?;
            let (Some(fallback), Some(state)) = (endpoint.forward_url.clone(), state) else {
                return Err(Error::invalid(
                    "auto-forward was turned off for this endpoint",
                ));
            };
            let list = routes::list(c, &slug)?;
            // A route's own consent decides for its target; the endpoint's is for the fallback.
            let (url, allow_remote) = routes::resolve(&list, &slug, &event)
                .map_or((fallback, state.settings.allow_remote), |r| {
                    (r.target.clone(), r.allow_remote)
                });
            let options = SendOptions {
                allow_remote,
                follow_redirects: state.settings.follow_redirects,
                timeout,
            };
            Ok(Loaded {
                event,
                endpoint,
                url,
                options,
            })
        })
    })
    .await;
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => {
            // Without the endpoint's settings there is no target to record a try against.
            tracing::warn!(event = id, error = %e, "cannot forward a request answered by its target");
            return reason(502, format!("Hookscope cannot forward event #{id}: {e}"));
        }
    };
    let slug = loaded.event.summary.endpoint.clone();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let prepared = replay::prepare(
        &loaded.event,
        &loaded.endpoint,
        &loaded.url,
        &Edits::default(),
        None,
        now,
    )
    .and_then(|out| {
        Target::parse(&out.url)?.check_allowed(loaded.options.allow_remote)?;
        Ok(out)
    });
    let (row, relayed, state) = match prepared {
        Ok(out) => {
            let delivery = client::send(&out, &loaded.options).await;
            let relayed = relay(id, &delivery);
            let state = if delivery.answer.is_ok() {
                ForwardState::Delivered
            } else {
                ForwardState::GaveUp
            };
            match replay::record_row(id, 1, &out, &delivery, None, false) {
                Ok(row) => (row, relayed, state),
                Err(e) => {
                    let error = e.to_string();
                    let row = replay::failure_row(id, 1, &loaded.url, error);
                    (row, relayed, state)
                }
            }
        }
        Err(e) => {
            let relayed = reason(
                502,
                format!("Hookscope stored event #{id} but cannot forward it: {e}"),
            );
            let row = replay::failure_row(id, 1, &loaded.url, e.to_string());
            (row, relayed, ForwardState::GaveUp)
        }
    };
    match record(engine, row, relayed.status).await {
        Ok(stored) => announce(engine, &slug, &replay::ReplayJson::from(&stored), state),
        Err(e) => tracing::warn!(event = id, error = %e, "could not record a forward try"),
    }
    relayed
}

/// Store the try and the status the provider gets, in one transaction.
async fn record(engine: &Engine, row: Replay, answered: u16) -> Result<Replay> {
    let writer = engine.store().clone();
    blocking(move || {
        writer.write(|tx| {
            let stored = replays::insert(tx, Kind::Forward, &row)?;
            events::set_response_status(tx, row.request_id, answered)?;
            Ok(stored)
        })
    })
    .await
}

/// The provider's answer for what the target did.
fn relay(id: i64, delivery: &Delivery) -> Relayed {
    let answer = match &delivery.answer {
        Ok(answer) => answer,
        Err(e) if delivery.timed_out => {
            return reason(
                504,
                format!("Hookscope stored event #{id}; the forward target {e}"),
            );
        }
        Err(e) => {
            return reason(
                502,
                format!("Hookscope stored event #{id}; the forward target did not answer: {e}"),
            );
        }
    };
    if answer.body_size > answer.body.len() as u64 {
        return reason(
            502,
            format!(
                "Hookscope stored event #{id}; the forward target's answer ({} bytes) is larger \
                 than the {} bytes Hookscope relays",
                answer.body_size,
                client::RESPONSE_BODY_CAP
            ),
        );
    }
    let listed = replay::connection_listed(&answer.headers);
    let mut headers: Vec<Header> = answer
        .headers
        .iter()
        .filter(|h| !replay::is_dropped(&h.name, &listed))
        .cloned()
        .collect();
    // 1xx, 204 and 304 answers carry no body and no length.
    if !(answer.status < 200 || answer.status == 204 || answer.status == 304) {
        headers.push(Header::new("content-length", answer.body.len().to_string()));
    }
    Relayed {
        status: answer.status,
        headers,
        body: answer.body.clone(),
    }
}

/// Hookscope's own answer with a short plain-text reason.
fn reason(status: u16, text: String) -> Relayed {
    let body = format!("{text}\n").into_bytes();
    Relayed {
        status,
        headers: vec![
            Header::new("content-type", "text/plain; charset=utf-8"),
            Header::new("content-length", body.len().to_string()),
        ],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::Answer;

    fn answered(status: u16, headers: Vec<Header>, body: &[u8]) -> Delivery {
        Delivery {
            answer: Ok(Answer {
                status,
                headers,
                body: body.to_vec(),
                body_size: body.len() as u64,
                url: "http://localhost:3000/".into(),
            }),
            latency: Duration::ZERO,
            timed_out: false,
        }
    }

    fn names(r: &Relayed) -> Vec<&str> {
        r.headers.iter().map(|h| h.name.as_str()).collect()
    }

    #[test]
    fn hop_by_hop_and_connection_listed_headers_are_not_relayed() {
        let d = answered(
            201,
            vec![
                Header::new("connection", "close, x-private"),
                Header::new("x-private", "1"),
                Header::new("transfer-encoding", "chunked"),
                Header::new("keep-alive", "timeout=5"),
                Header::new("content-length", "999"),
                Header::new("x-handled-by", "me"),
                Header::new("set-cookie", "a=1"),
                Header::new("set-cookie", "b=2"),
            ],
            b"done",
        );
        let r = relay(1, &d);
        assert_eq!(r.status, 201);
        assert_eq!(
            names(&r),
            ["x-handled-by", "set-cookie", "set-cookie", "content-length"]
        );
        assert_eq!(r.headers[3].value, b"4");
        assert_eq!(r.body, b"done");
    }

    #[test]
    fn no_length_on_an_answer_without_a_body() {
        assert_eq!(
            names(&relay(1, &answered(204, vec![], b""))),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn failures_are_502_or_504_with_the_reason() {
        let failed = |timed_out| Delivery {
            answer: Err("connection refused: nothing is listening on 127.0.0.1:9".into()),
            latency: Duration::ZERO,
            timed_out,
        };
        let refused = relay(7, &failed(false));
        assert_eq!(refused.status, 502);
        let text = String::from_utf8(refused.body).unwrap();
        assert!(
            text.contains("event #7") && text.contains("connection refused"),
            "{text}"
        );
        assert_eq!(relay(7, &failed(true)).status, 504);
        let mut big = answered(200, vec![], b"x");
        if let Ok(a) = &mut big.answer {
            a.body_size = u64::MAX;
        }
        assert_eq!(relay(7, &big).status, 502);
    }
}
