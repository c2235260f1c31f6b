//! One HTTP exchange, retried: requests go out through azure_core's HTTP client (reqwest
//! underneath), at most a fixed number at once for the whole provider, and are tried again on
//! throttling, transient server errors and dropped connections as [`RetryPolicy`] says. Every
//! request ARM and the token endpoints see passes through here.

use super::error::ArmError;
use super::retry::{is_retryable_status, retry_after, RetryPolicy};
use azure_core::http::{HttpClient, Method, Request, Url};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// How many requests the provider has in flight at most, all resources together. ARM's
/// throttling works per principal, so one provider instance is the unit that must stay polite.
pub const DEFAULT_CONCURRENT_REQUESTS: usize = 16;

/// A request to send (possibly several times).
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Outgoing {
    pub fn new(method: Method, url: Url) -> Outgoing {
        Outgoing {
            method,
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Outgoing {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    pub fn json_body(mut self, body: &Json) -> Outgoing {
        self.body = Some(body.to_string().into_bytes());
        self.header("content-type", "application/json")
    }

    pub fn form_body(mut self, fields: &[(&str, &str)]) -> Outgoing {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        self.body = Some(form.finish().into_bytes());
        self.header("content-type", "application/x-www-form-urlencoded")
    }
}

/// An answer, whatever its status.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body as JSON (an empty body is JSON null).
    pub fn json(&self) -> Result<Json, ArmError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Json::Null);
        }
        let body = self
            .body
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(&self.body);
        serde_json::from_slice(body).map_err(|e| {
            ArmError::InvalidResponse(format!(
                "the body of a {} answer is not JSON: {e}",
                self.status
            ))
        })
    }

    /// The error this answer stands for (for a status that is not a success).
    pub fn error(&self) -> ArmError {
        ArmError::from_response(
            self.status,
            &self.body,
            self.header("x-ms-request-id").map(str::to_string),
        )
    }
}

/// Sends requests with retries and a provider-wide limit on concurrency.
#[derive(Clone, Debug)]
pub struct Transport {
    http: Arc<dyn HttpClient>,
    retry: RetryPolicy,
    limiter: Arc<Semaphore>,
}

impl Transport {
    pub fn new(retry: RetryPolicy, concurrency: usize) -> Transport {
        Transport {
            http: azure_core::http::new_http_client(None),
            retry,
            limiter: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Sends `outgoing` until it gets an answer that is not worth retrying or the tries run
    /// out; the last answer is returned whatever its status. Only a request that never got an
    /// answer at all is an error.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<Answer, ArmError> {
        let mut attempt = 0;
        loop {
            let result = self.send_once(outgoing).await;
            let wait = match &result {
                Ok(answer) if is_retryable_status(answer.status) => {
                    Some(retry_after(&answer.headers))
                }
                Ok(_) => None,
                Err(_) => Some(None),
            };
            match wait {
                Some(asked) if self.retry.allows_another(attempt) => {
                    tokio::time::sleep(self.retry.delay(attempt, asked)).await;
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }

    async fn send_once(&self, outgoing: &Outgoing) -> Result<Answer, ArmError> {
        let mut request = Request::new(outgoing.url.clone(), outgoing.method);
        for (name, value) in &outgoing.headers {
            request.insert_header(name.clone(), value.clone());
        }
        if let Some(body) = &outgoing.body {
            request.set_body(body.clone());
        }
        let _permit = self
            .limiter
            .acquire()
            .await
            .map_err(|_| ArmError::Transport("the provider is shutting down".into()))?;
        let response = self
            .http
            .execute_request(&request)
            .await
            .map_err(|e| ArmError::Transport(describe(&outgoing.method, &outgoing.url, &e)))?;
        let (status, headers, body) = response.deconstruct();
        let headers: HashMap<String, String> = headers
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.as_str().to_string()))
            .collect();
        let body = body
            .collect()
            .await
            .map_err(|e| ArmError::Transport(describe(&outgoing.method, &outgoing.url, &e)))?;
        Ok(Answer {
            status: status.into(),
            headers,
            body: body.to_vec(),
        })
    }
}

/// A transport failure in words, without the query string (which may carry nothing secret
/// for ARM, but token requests are never logged with their bodies either).
fn describe(method: &Method, url: &Url, error: &azure_core::Error) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    let mut text = format!("{method:?} {shown}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}
