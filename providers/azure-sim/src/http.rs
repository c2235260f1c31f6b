//! The simulator's view of HTTP: a buffered request and response, independent of the server
//! library so that the handlers can be driven directly in unit tests; and ARM's error envelope.

use serde_json::{json, Value};

/// A request, read whole.
#[derive(Clone, Debug, Default)]
pub(crate) struct Request {
    /// Upper case: `GET`, `PUT`...
    pub method: String,
    /// The path as sent (still percent-encoded).
    pub path: String,
    /// Query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: &str, path_and_query: &str) -> Request {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Request {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            query: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    #[cfg(test)]
    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    #[cfg(test)]
    pub fn with_json(mut self, body: &Value) -> Request {
        self.body = body.to_string().into_bytes();
        self.with_header("content-type", "application/json")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter; names compare case-insensitively, as ARM compares them.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path's segments, percent-decoded, without empty ones.
    pub fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect()
    }
}

/// A response, built whole.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn json(status: u16, body: &Value) -> Response {
        Response {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    #[cfg(test)]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when empty or not JSON).
    #[cfg(test)]
    pub fn body_json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// An ARM error: the status and the `{"error": {"code", "message"}}` envelope.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub headers: Vec<(String, String)>,
}

impl ArmError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ArmError {
        ArmError {
            status,
            code: code.to_string(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(400, code, message)
    }

    pub fn not_found(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(404, code, message)
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(409, code, message)
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> ArmError {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn response(&self) -> Response {
        let mut response = Response::json(
            self.status,
            &json!({"error": {"code": self.code, "message": self.message}}),
        );
        response.headers.extend(self.headers.iter().cloned());
        response
    }
}

pub(crate) type ArmResult<T> = Result<T, ArmError>;
