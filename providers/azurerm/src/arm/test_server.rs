//! A small HTTP/1.1 server on loopback whose answers each test scripts, for unit tests of the
//! protocol handling (retries, long-running operations, token requests): it records every
//! request it gets and answers with whatever the test's handler says, including dropping the
//! connection without an answer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// A form field of a form-encoded body.
    pub fn form(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// What the server does with a request.
pub enum Reply {
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
        delay: Duration,
    },
    /// Close the connection without answering.
    Drop,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply::Answer {
            status,
            headers: vec![],
            body: String::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Answer { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    pub fn after(mut self, wait: Duration) -> Reply {
        if let Reply::Answer { delay, .. } = &mut self {
            *delay = wait;
        }
        self
    }
}

type Handler = dyn Fn(&Received, &str) -> Reply + Send + Sync;

/// A running scripted server.
pub struct TestServer {
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
    most_in_flight: Arc<AtomicUsize>,
}

impl TestServer {
    /// Serves with `handler`, which gets each request and the server's base URL.
    pub async fn start(
        handler: impl Fn(&Received, &str) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let server = TestServer {
            base: base.clone(),
            received: received.clone(),
            most_in_flight: most_in_flight.clone(),
        };
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (handler, received, base) = (handler.clone(), received.clone(), base.clone());
                let (in_flight, most) = (in_flight.clone(), most_in_flight.clone());
                tokio::spawn(async move {
                    serve(stream, handler, received, base, in_flight, most).await;
                });
            }
        });
        server
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// The most requests the server was handling at once.
    pub fn most_in_flight(&self) -> usize {
        self.most_in_flight.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    handler: Arc<Handler>,
    received: Arc<Mutex<Vec<Received>>>,
    base: String,
    in_flight: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        received.lock().expect("lock").push(request.clone());
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        most.fetch_max(now, Ordering::SeqCst);
        let reply = handler(&request, &base);
        let outcome = match reply {
            Reply::Drop => None,
            Reply::Answer {
                status,
                headers,
                body,
                delay,
            } => {
                tokio::time::sleep(delay).await;
                let mut text = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (k, v) in headers {
                    text.push_str(&format!("{k}: {v}\r\n"));
                }
                text.push_str("\r\n");
                text.push_str(&body);
                Some(text)
            }
        };
        in_flight.fetch_sub(1, Ordering::SeqCst);
        match outcome {
            Some(text) => {
                if stream.write_all(text.as_bytes()).await.is_err() {
                    return;
                }
            }
            None => return,
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_string();
            let mut lines = head.lines();
            let mut first = lines.next()?.split_whitespace();
            let method = first.next()?.to_string();
            let target = first.next()?.to_string();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let length: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            while buffer.len() < end + 4 + length {
                let mut chunk = [0u8; 4096];
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]).to_string();
            buffer.drain(..end + 4 + length);
            return Some(Received {
                method,
                target,
                headers,
                body,
            });
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}
