//! A scripted HTTP/1.1 peer: answers each request with the next scripted reply, including
//! chunked streams that break off mid-way (which wiremock cannot do).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete response with a JSON body.
    Full { status: u16, body: String },
    /// A 200 chunked JSON stream: each chunk is written with a short pause; `finish` ends it
    /// properly, otherwise the connection is dropped mid-body.
    Chunks { chunks: Vec<String>, finish: bool },
}

/// A running scripted peer.
pub struct Scripted {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    /// Starts a peer with these replies; once they are used up it holds requests open with a
    /// stream that never sends anything (a quiet watch).
    pub async fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let replies = Arc::new(Mutex::new(VecDeque::from(replies)));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, replies.clone(), seen.clone()));
            }
        });
        Self { url, requests }
    }

    /// The request lines received so far (`GET /path?query`).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// A backend for this peer.
    pub fn backend(&self) -> kobj_kube::KubeBackend {
        let config = kube::Config::new(self.url.parse().unwrap());
        kobj_kube::KubeBackend::from_config(config).unwrap()
    }
}

async fn serve(
    mut socket: TcpStream,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<String>>>,
) {
    let mut buffer = Vec::new();
    loop {
        // Read one request head (and its body, if any).
        let head_end = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                break end;
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        while buffer.len() < head_end + 4 + length {
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..head_end + 4 + length);
        let line = head.lines().next().unwrap_or("").to_string();
        let line = line.trim_end_matches(" HTTP/1.1").to_string();
        seen.lock().unwrap().push(line);

        let reply = replies.lock().unwrap().pop_front();
        match reply {
            Some(Reply::Full { status, body }) => {
                let text = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if socket.write_all(text.as_bytes()).await.is_err() {
                    return;
                }
            }
            Some(Reply::Chunks { chunks, finish }) => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for chunk in chunks {
                    let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                    if socket.write_all(framed.as_bytes()).await.is_err() {
                        return;
                    }
                    let _ = socket.flush().await;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                if !finish {
                    // Break off mid-stream: no terminating chunk.
                    let _ = socket.shutdown().await;
                    return;
                }
                if socket.write_all(b"0\r\n\r\n").await.is_err() {
                    return;
                }
            }
            None => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                let _ = socket.write_all(head.as_bytes()).await;
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
