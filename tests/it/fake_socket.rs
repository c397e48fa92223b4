//! Slack's Socket Mode as a peer over a real WebSocket: the fake Slack's
//! `apps.connections.open` hands out this server's URL; each connection
//! gets `hello`, then whatever the test sends (envelopes, pings, a
//! `disconnect`), and may be dropped without a close frame, as a network
//! drops it. Envelopes a connection took without acknowledging are
//! delivered again on the next one, with `retry_attempt` counted up, as
//! Slack redelivers them.

use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::Recorder;

/// What the server saw, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Connection `n` (from 1) opened and was sent `hello`.
    Connected(usize),
    /// The bot acknowledged an envelope (with its payload, if any).
    Ack(String, Option<Value>),
    Pong,
    /// Connection `n` ended (closed by the bot, or dropped).
    Ended(usize),
}

enum Frame {
    Text(String),
    Ping,
    /// Gone without a close frame.
    Drop,
}

#[derive(Default)]
struct State {
    /// The open connections' senders, by number.
    open: Vec<(usize, mpsc::UnboundedSender<Frame>)>,
    /// Envelopes sent and not yet acknowledged: (id, envelope).
    unacked: Vec<(String, Value)>,
    connections: usize,
}

#[derive(Clone)]
pub struct SocketServer {
    pub url: String,
    state: Arc<Mutex<State>>,
    seen: Arc<Recorder<Seen>>,
}

impl SocketServer {
    pub async fn start() -> Self {
        let (listener, url) = crate::ws::bind("/link").await;
        let server = Self {
            url,
            state: Arc::default(),
            seen: Arc::default(),
        };
        let accepting = server.clone();
        crate::ws::accept(listener, move |socket| accepting.serve(socket));
        server
    }

    fn serve(&self, socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Frame>();
        let (n, redeliver) = {
            let mut st = self.state.lock().unwrap();
            st.connections += 1;
            let n = st.connections;
            st.open.push((n, tx.clone()));
            let redeliver: Vec<Value> = st
                .unacked
                .iter()
                .map(|(_, e)| {
                    let mut e = e.clone();
                    let attempt = e["retry_attempt"].as_u64().unwrap_or(0) + 1;
                    e["retry_attempt"] = json!(attempt);
                    e["retry_reason"] = json!("timeout");
                    e
                })
                .collect();
            (n, redeliver)
        };
        let hello = json!({
            "type": "hello", "num_connections": 1,
            "debug_info": { "host": "applink-fake", "approximate_connection_time": 18060 },
            "connection_info": { "app_id": "A0FAKE" },
        });
        let _ = tx.send(Frame::Text(hello.to_string()));
        for e in redeliver {
            let _ = tx.send(Frame::Text(e.to_string()));
        }
        self.seen.push(Seen::Connected(n));
        let (mut sink, mut stream) = socket.split();
        let state = self.state.clone();
        let seen = self.seen.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    frame = rx.recv() => match frame {
                        Some(Frame::Text(t)) => {
                            if sink.send(Message::Text(t.into())).await.is_err() {
                                break;
                            }
                        }
                        Some(Frame::Ping) => {
                            if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                                break;
                            }
                        }
                        Some(Frame::Drop) | None => break,
                    },
                    message = stream.next() => match message {
                        Some(Ok(Message::Text(t))) => {
                            let v: Value = serde_json::from_str(t.as_str()).unwrap_or(Value::Null);
                            let id = v["envelope_id"].as_str().unwrap_or_default().to_owned();
                            state.lock().unwrap().unacked.retain(|(u, _)| *u != id);
                            let payload = v.get("payload").cloned();
                            seen.push(Seen::Ack(id, payload));
                        }
                        Some(Ok(Message::Pong(_))) => seen.push(Seen::Pong),
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => {}
                    },
                }
            }
            // Dropping both halves ends the TCP connection, close frame or not.
            state.lock().unwrap().open.retain(|(m, _)| *m != n);
            seen.push(Seen::Ended(n));
        });
    }

    fn newest(&self) -> mpsc::UnboundedSender<Frame> {
        let st = self.state.lock().unwrap();
        st.open.last().expect("an open connection").1.clone()
    }

    /// Sends an envelope on the newest connection; it counts as unacked
    /// until the bot acknowledges it.
    pub fn send(&self, envelope: Value) {
        let id = envelope["envelope_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !id.is_empty() {
            self.state
                .lock()
                .unwrap()
                .unacked
                .push((id, envelope.clone()));
        }
        let _ = self.newest().send(Frame::Text(envelope.to_string()));
    }

    pub fn ping(&self) {
        let _ = self.newest().send(Frame::Ping);
    }

    /// Slack asks the bot to reconnect (it rotates connections).
    pub fn disconnect(&self, reason: &str) {
        let _ = self.newest().send(Frame::Text(
            json!({ "type": "disconnect", "reason": reason }).to_string(),
        ));
    }

    /// The newest connection vanishes, no close frame.
    pub fn drop_newest(&self) {
        let _ = self.newest().send(Frame::Drop);
    }

    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Seen]) -> bool) -> Vec<Seen> {
        self.seen.wait_for(what, done).await
    }
}
