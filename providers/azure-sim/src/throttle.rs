//! ARM's request limits and the injected faults.
//!
//! Limits follow ARM's published token buckets (Azure docs, "request limits and throttling"):
//! per subscription and service principal, reads 250 tokens refilled at 25 a second, writes
//! and deletes 200 refilled at 10 a second; the subscription's global buckets hold 15 times
//! that. Refill rates are multiplied by the simulator's speed, since simulated time runs that
//! much faster. Every ARM answer carries the remaining count in
//! `x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}` (and the `-global-` ones);
//! an empty bucket answers 429 with `Retry-After`.

use crate::http::ArmError;
use crate::Faults;
use std::collections::HashMap;

/// The kinds of request ARM counts separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum OpClass {
    Read,
    Write,
    Delete,
}

impl OpClass {
    pub fn of(method: &str) -> OpClass {
        match method {
            "GET" | "HEAD" | "OPTIONS" => OpClass::Read,
            "DELETE" => OpClass::Delete,
            _ => OpClass::Write,
        }
    }

    fn word(self) -> &'static str {
        match self {
            OpClass::Read => "reads",
            OpClass::Write => "writes",
            OpClass::Delete => "deletes",
        }
    }

    /// Bucket size and refill per second for one service principal.
    fn limits(self) -> (f64, f64) {
        match self {
            OpClass::Read => (250.0, 25.0),
            OpClass::Write | OpClass::Delete => (200.0, 10.0),
        }
    }
}

/// How many times the principal's limits the subscription's global buckets hold.
const GLOBAL_FACTOR: f64 = 15.0;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
}

/// The token buckets of every (principal, kind) and of the subscription.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    buckets: HashMap<(String, OpClass), Bucket>,
}

/// What the limits let through: the headers to add, or the 429 to answer.
pub(crate) type Admission = Result<Vec<(String, String)>, ArmError>;

impl Throttle {
    /// Takes a token from the principal's and the subscription's bucket for the request.
    pub fn admit(&mut self, principal: &str, class: OpClass, now_ms: i64, speed: f64) -> Admission {
        let (size, refill) = class.limits();
        let refill = refill * speed;
        let own = self.take(principal, class, size, refill, now_ms);
        let global = self.take(
            "",
            class,
            size * GLOBAL_FACTOR,
            refill * GLOBAL_FACTOR,
            now_ms,
        );
        match (own, global) {
            (Ok(own_left), Ok(global_left)) => Ok(vec![
                (
                    format!("x-ms-ratelimit-remaining-subscription-{}", class.word()),
                    own_left.to_string(),
                ),
                (
                    format!(
                        "x-ms-ratelimit-remaining-subscription-global-{}",
                        class.word()
                    ),
                    global_left.to_string(),
                ),
            ]),
            (Err(wait_ms), _) | (_, Err(wait_ms)) => {
                let seconds = (wait_ms + 999) / 1000;
                Err(ArmError::new(
                    429,
                    "SubscriptionRequestsThrottled",
                    format!(
                        "Number of '{}' requests for subscription '{}' actor '{principal}' exceeded. Please try again after '{seconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling",
                        class.word().trim_end_matches('s'),
                        crate::SUBSCRIPTION_ID,
                    ),
                )
                .with_header("Retry-After", seconds.max(1).to_string())
                .with_header("retry-after-ms", wait_ms.max(1).to_string())
                .with_header(
                    &format!("x-ms-ratelimit-remaining-subscription-{}", class.word()),
                    "0",
                ))
            }
        }
    }

    /// Takes one token; the tokens left, or how long until one is there (ms).
    fn take(
        &mut self,
        who: &str,
        class: OpClass,
        size: f64,
        refill: f64,
        now: i64,
    ) -> Result<u64, i64> {
        let bucket = self
            .buckets
            .entry((who.to_string(), class))
            .or_insert(Bucket {
                tokens: size,
                at_ms: now,
            });
        let elapsed = (now - bucket.at_ms).max(0) as f64 / 1000.0;
        bucket.tokens = (bucket.tokens + elapsed * refill).min(size);
        bucket.at_ms = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(bucket.tokens as u64)
        } else {
            Err((((1.0 - bucket.tokens) / refill) * 1000.0).ceil() as i64)
        }
    }
}

/// The fate of one request under `--faults`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Fault {
    None,
    Throttle,
    ServerError,
    Drop,
}

impl Faults {
    /// Draws the fate of a request from a uniform number in [0, 1).
    pub(crate) fn draw(&self, roll: f64) -> Fault {
        if roll < self.drop {
            Fault::Drop
        } else if roll < self.drop + self.server_error {
            Fault::ServerError
        } else if roll < self.drop + self.server_error + self.throttle {
            Fault::Throttle
        } else {
            Fault::None
        }
    }
}

/// The answer to an injected 429: ARM's throttling envelope; `Retry-After` as ARM gives it
/// (whole seconds), with the scaled wait in milliseconds beside it.
pub(crate) fn injected_throttle(class: OpClass, speed: f64) -> ArmError {
    let wait_ms = ((10_000.0 / speed).ceil() as i64).max(1);
    ArmError::new(
        429,
        "TooManyRequests",
        "The request is being throttled (the simulator's --faults injects this answer).",
    )
    .with_header("Retry-After", ((wait_ms + 999) / 1000).to_string())
    .with_header("retry-after-ms", wait_ms.to_string())
    .with_header(
        &format!("x-ms-ratelimit-remaining-subscription-{}", class.word()),
        "0",
    )
}

/// The answer to an injected 500: ARM's internal error envelope.
pub(crate) fn injected_server_error() -> ArmError {
    ArmError::new(
        500,
        "InternalServerError",
        format!(
            "Encountered internal server error. Diagnostic information: timestamp '{}', subscription id '{}', tracking id '{}', request correlation id '{}'.",
            crate::util::timestamp(crate::util::now_ms()),
            crate::SUBSCRIPTION_ID,
            crate::util::new_uuid(),
            crate::util::new_uuid()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_empty_then_refill() {
        let mut throttle = Throttle::default();
        for i in 0..200 {
            let headers = throttle.admit("p", OpClass::Write, 0, 1.0).unwrap();
            assert_eq!(headers[0].0, "x-ms-ratelimit-remaining-subscription-writes");
            assert_eq!(headers[0].1, (199 - i).to_string());
        }
        let refused = throttle.admit("p", OpClass::Write, 0, 1.0).unwrap_err();
        assert_eq!(refused.status, 429);
        assert!(refused
            .headers
            .iter()
            .any(|(n, v)| n == "Retry-After" && v == "1"));
        // Reads have their own bucket; another principal too.
        assert!(throttle.admit("p", OpClass::Read, 0, 1.0).is_ok());
        assert!(throttle.admit("q", OpClass::Write, 0, 1.0).is_ok());
        // Ten writes a second come back.
        assert!(throttle.admit("p", OpClass::Write, 100, 1.0).is_ok());
        assert!(throttle.admit("p", OpClass::Write, 100, 1.0).is_err());
        // At speed 600 they come back 600 times faster.
        assert!(throttle.admit("p", OpClass::Write, 101, 600.0).is_ok());
    }

    #[test]
    fn faults_are_drawn_by_share() {
        let faults: Faults = "429=0.2,500=0.05,drop=0.01".parse().unwrap();
        assert_eq!(faults.draw(0.005), Fault::Drop);
        assert_eq!(faults.draw(0.03), Fault::ServerError);
        assert_eq!(faults.draw(0.2), Fault::Throttle);
        assert_eq!(faults.draw(0.27), Fault::None);
        assert_eq!(Faults::default().draw(0.0), Fault::None);
    }

    #[test]
    fn fault_specs_parse() {
        let faults: Faults = "429=0.2, 500=0.05,drop=0.01".parse().unwrap();
        assert_eq!(
            faults,
            Faults {
                throttle: 0.2,
                server_error: 0.05,
                drop: 0.01
            }
        );
        assert_eq!("".parse::<Faults>().unwrap(), Faults::default());
        assert!("429=2".parse::<Faults>().is_err());
        assert!("503=0.1".parse::<Faults>().is_err());
        assert!("429".parse::<Faults>().is_err());
        assert!("429=0.6,500=0.6".parse::<Faults>().is_err());
    }
}
