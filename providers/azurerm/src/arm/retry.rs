//! When and how long to wait before trying a request again: 429 and transient 5xx answers and
//! dropped connections are retried a bounded number of times, after the delay the server
//! asked for (`Retry-After`, `retry-after-ms`, `x-ms-retry-after-ms`) or else an exponential
//! backoff with jitter, so that many clients throttled together do not come back together.

use std::collections::HashMap;
use std::time::Duration;

/// How a request is retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub max_attempts: u32,
    /// The backoff before the second try; it doubles for every further one.
    pub base_delay: Duration,
    /// The longest backoff, and the longest wait a `Retry-After` can impose.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before try number `attempt + 1` (`attempt` counts from 0 for the first try
    /// that failed). A delay the server asked for is honoured (up to `max_delay`); otherwise
    /// the backoff is exponential with "equal jitter": half fixed, half random.
    pub fn delay(&self, attempt: u32, server_asked: Option<Duration>) -> Duration {
        if let Some(asked) = server_asked {
            return asked.min(self.max_delay);
        }
        let exponential = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(16)))
            .min(self.max_delay);
        let half = exponential / 2;
        let jitter_nanos = rand::random_range(0..=half.as_nanos().min(u64::MAX as u128) as u64);
        half + Duration::from_nanos(jitter_nanos)
    }

    /// Whether another try is allowed after try number `attempt` (from 0) failed.
    pub fn allows_another(&self, attempt: u32) -> bool {
        attempt + 1 < self.max_attempts
    }
}

/// Whether an answer with this status is worth trying again: throttling, timeouts and the
/// server errors that are transient by nature.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The delay a response asks for, from its headers (names in lower case): `retry-after-ms`
/// and `x-ms-retry-after-ms` in milliseconds, `retry-after` in seconds.
pub fn retry_after(headers: &HashMap<String, String>) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = headers.get(name).and_then(|v| v.trim().parse::<f64>().ok()) {
            if ms.is_finite() && ms >= 0.0 {
                return Some(Duration::from_secs_f64(ms / 1000.0));
            }
        }
    }
    headers
        .get("retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for attempt in 0..6 {
            let full = Duration::from_millis(100 * 2u64.pow(attempt)).min(Duration::from_secs(1));
            for _ in 0..20 {
                let d = policy.delay(attempt, None);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
        let samples: Vec<Duration> = (0..20).map(|_| policy.delay(3, None)).collect();
        assert!(samples.iter().any(|d| *d != samples[0]), "no jitter");
    }

    #[test]
    fn server_delay_wins_but_is_bounded() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3600))),
            policy.max_delay
        );
    }

    #[test]
    fn reads_retry_after_headers() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7"), ("retry-after-ms", "250")])),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after(&headers(&[("x-ms-retry-after-ms", "40")])),
            Some(Duration::from_millis(40))
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    }

    #[test]
    fn bounded_attempts() {
        let policy = RetryPolicy::default();
        assert!(policy.allows_another(6));
        assert!(!policy.allows_another(7));
        assert!(is_retryable_status(429) && is_retryable_status(503));
        assert!(
            !is_retryable_status(400) && !is_retryable_status(404) && !is_retryable_status(501)
        );
    }
}
