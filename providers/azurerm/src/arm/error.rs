//! What can go wrong talking to Azure Resource Manager, and how it is told: ARM's error
//! envelope (`{"error": {"code", "message", "details"}}`), failed long-running operations,
//! transport failures that outlived their retries, and credential failures, each rendered as a
//! diagnostic that names the resource and ARM's own code and message.

use serde_json::Value as Json;
use std::fmt;
use terrane_engine::diag::{Diagnostic, Diagnostics};

/// A failed request or operation.
#[derive(Clone, Debug, PartialEq)]
pub enum ArmError {
    /// ARM answered with an error status.
    Status {
        status: u16,
        code: String,
        message: String,
        /// ARM's request id (`x-ms-request-id`), for support cases.
        request_id: Option<String>,
    },
    /// A long-running operation ended `Failed` or `Canceled`.
    OperationFailed {
        status: String,
        code: String,
        message: String,
    },
    /// No usable answer (connection refused or dropped, timeout), after every retry.
    Transport(String),
    /// An answer that is not what ARM's contract promises.
    InvalidResponse(String),
    /// No token could be had.
    Credential(String),
    /// An operation took longer than its timeout.
    Timeout(String),
}

impl ArmError {
    /// The error of an answer with an error status, from ARM's error envelope when there is one.
    pub fn from_response(status: u16, body: &[u8], request_id: Option<String>) -> ArmError {
        let json: Option<Json> = serde_json::from_slice(body).ok();
        let (code, message) = json
            .as_ref()
            .and_then(envelope)
            .unwrap_or_else(|| (status_code_name(status), plain_text(body, status)));
        ArmError::Status {
            status,
            code,
            message,
            request_id,
        }
    }

    /// Whether ARM said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ArmError::Status { status: 404, .. })
    }

    /// ARM's error code, when there is one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ArmError::Status { code, .. } | ArmError::OperationFailed { code, .. } => Some(code),
            _ => None,
        }
    }

    /// A diagnostic for this error, for `action` (like "creating") on the ARM object `id`.
    pub fn diagnostic(&self, action: &str, id: &str) -> Diagnostic {
        let summary = match self {
            ArmError::Credential(_) => "Failed to obtain an Azure access token".to_string(),
            _ => format!("Error {action} {id}"),
        };
        Diagnostic::error(summary, format!("{action} {id}: {self}"))
    }

    /// [`ArmError::diagnostic`] as diagnostics.
    pub fn diagnostics(&self, action: &str, id: &str) -> Diagnostics {
        self.diagnostic(action, id).into()
    }
}

impl fmt::Display for ArmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArmError::Status {
                status,
                code,
                message,
                request_id,
            } => {
                write!(
                    f,
                    "unexpected status {status} with error: {code}: {message}"
                )?;
                if let Some(id) = request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            ArmError::OperationFailed {
                status,
                code,
                message,
            } => write!(
                f,
                "the long-running operation ended {status:?} with error: {code}: {message}"
            ),
            ArmError::Transport(why) => write!(f, "the request could not be completed: {why}"),
            ArmError::InvalidResponse(why) => write!(f, "unexpected response from ARM: {why}"),
            ArmError::Credential(why) => write!(f, "authenticating: {why}"),
            ArmError::Timeout(why) => write!(f, "timed out: {why}"),
        }
    }
}

/// The code and message of ARM's error envelope: `{"error": {...}}`, or the bare
/// `{"code", "message"}` some resource providers answer with. Details, when present, are
/// appended to the message.
pub fn envelope(json: &Json) -> Option<(String, String)> {
    let error = json.get("error").filter(|e| e.is_object()).unwrap_or(json);
    let code = error.get("code").and_then(Json::as_str)?;
    let mut message = error
        .get("message")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(details) = error.get("details").and_then(Json::as_array) {
        for detail in details {
            if let Some((c, m)) = envelope(detail) {
                message.push_str(&format!("\n  {c}: {m}"));
            }
        }
    }
    Some((code.to_string(), message))
}

fn status_code_name(status: u16) -> String {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "UnexpectedStatus",
    }
    .to_string()
}

fn plain_text(body: &[u8], status: u16) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        format!("HTTP status {status} without a body")
    } else {
        text.chars().take(500).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arm_envelope_with_details() {
        let body = br#"{"error":{"code":"InvalidParameter","message":"bad prefix","details":[{"code":"Inner","message":"why"}]}}"#;
        let e = ArmError::from_response(400, body, Some("r-1".into()));
        assert_eq!(e.code(), Some("InvalidParameter"));
        let d = e.diagnostic("creating", "/subscriptions/s/resourceGroups/rg");
        assert!(
            d.detail.contains("InvalidParameter: bad prefix"),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("Inner: why"));
        assert!(d.detail.contains("/subscriptions/s/resourceGroups/rg"));
        assert!(d.detail.contains("r-1"));
    }

    #[test]
    fn bare_envelope_and_plain_bodies() {
        let e = ArmError::from_response(409, br#"{"code":"Conflict","message":"busy"}"#, None);
        assert_eq!(e.code(), Some("Conflict"));
        let e = ArmError::from_response(502, b"upstream broke", None);
        assert_eq!(e.code(), Some("BadGateway"));
        assert!(e.to_string().contains("upstream broke"));
        assert!(ArmError::from_response(404, b"", None).is_not_found());
    }
}
