//! Discord's gateway as a peer over a real WebSocket (v10, JSON): `HELLO`
//! with a heartbeat interval, `IDENTIFY` answered with `READY` and a
//! session, heartbeats acknowledged, dispatches numbered by sequence and
//! kept per session, `RECONNECT` on request, connections dropped without a
//! close frame, and `RESUME` answered by replaying what the session missed
//! since the sequence the client names, then `RESUMED`.

use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::Recorder;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Connected(usize),
    /// IDENTIFY, with the token the client sent.
    Identify(String),
    /// RESUME, with the session and the last sequence the client had.
    Resume(String, u64),
    Heartbeat,
    Ended(usize),
}

enum Frame {
    Text(String),
    Drop,
}

#[derive(Default)]
struct State {
    open: Vec<(usize, mpsc::UnboundedSender<Frame>)>,
    connections: usize,
    /// Every dispatch of the session, with its sequence number.
    log: Vec<(u64, Value)>,
    seq: u64,
}

#[derive(Clone)]
pub struct GatewayServer {
    pub url: String,
    state: Arc<Mutex<State>>,
    seen: Arc<Recorder<Seen>>,
}

const SESSION: &str = "session-fake-1";

impl GatewayServer {
    pub async fn start() -> Self {
        let (listener, url) = crate::ws::bind("").await;
        let server = Self {
            url,
            state: Arc::default(),
            seen: Arc::default(),
        };
        let accepting = server.clone();
        crate::ws::accept(listener, move |socket| accepting.serve(socket));
        server
    }

    /// A dispatch event, numbered; kept for resumes.
    fn dispatch_frame(st: &mut State, t: &str, d: Value) -> String {
        st.seq += 1;
        let event = json!({ "op": 0, "t": t, "s": st.seq, "d": d });
        st.log.push((st.seq, event.clone()));
        event.to_string()
    }

    fn serve(&self, socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Frame>();
        let n = {
            let mut st = self.state.lock().unwrap();
            st.connections += 1;
            let n = st.connections;
            st.open.push((n, tx.clone()));
            n
        };
        let hello = json!({ "op": 10, "d": { "heartbeat_interval": 1000 } });
        let _ = tx.send(Frame::Text(hello.to_string()));
        self.seen.push(Seen::Connected(n));
        let (mut sink, mut stream) = socket.split();
        let (state, seen, url) = (self.state.clone(), self.seen.clone(), self.url.clone());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    frame = rx.recv() => match frame {
                        Some(Frame::Text(t)) => {
                            if sink.send(Message::Text(t.into())).await.is_err() {
                                break;
                            }
                        }
                        Some(Frame::Drop) | None => break,
                    },
                    message = stream.next() => {
                        let text = match message {
                            Some(Ok(Message::Text(t))) => t.as_str().to_owned(),
                            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                            Some(Ok(_)) => continue,
                        };
                        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                        let replies = match v["op"].as_u64() {
                            Some(1) => {
                                seen.push(Seen::Heartbeat);
                                vec![json!({ "op": 11 }).to_string()]
                            }
                            Some(2) => {
                                seen.push(Seen::Identify(v["d"]["token"].as_str().unwrap_or_default().to_owned()));
                                let ready = json!({
                                    "v": 10,
                                    "user": { "id": "555", "username": "privatelink-bot", "discriminator": "0", "global_name": null, "avatar": null, "bot": true, "verified": true, "mfa_enabled": false, "flags": 0 },
                                    "guilds": [ { "id": "888", "unavailable": true } ],
                                    "session_id": SESSION,
                                    "resume_gateway_url": url,
                                    "shard": [0, 1],
                                    "application": { "id": "555", "flags": 0 },
                                });
                                let mut st = state.lock().unwrap();
                                vec![GatewayServer::dispatch_frame(&mut st, "READY", ready)]
                            }
                            Some(6) => {
                                let from = v["d"]["seq"].as_u64().unwrap_or(0);
                                seen.push(Seen::Resume(v["d"]["session_id"].as_str().unwrap_or_default().to_owned(), from));
                                let mut st = state.lock().unwrap();
                                let mut out: Vec<String> = st
                                    .log
                                    .iter()
                                    .filter(|(s, _)| *s > from)
                                    .map(|(_, e)| e.to_string())
                                    .collect();
                                out.push(GatewayServer::dispatch_frame(&mut st, "RESUMED", json!({})));
                                out
                            }
                            _ => Vec::new(),
                        };
                        for r in replies {
                            if sink.send(Message::Text(r.into())).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            }
            state.lock().unwrap().open.retain(|(m, _)| *m != n);
            seen.push(Seen::Ended(n));
        });
    }

    /// Sends a dispatch to the client, or keeps it for its resume when no
    /// connection is open.
    pub fn dispatch(&self, t: &str, d: Value) {
        let mut st = self.state.lock().unwrap();
        let frame = Self::dispatch_frame(&mut st, t, d);
        if let Some((_, tx)) = st.open.last() {
            let _ = tx.send(Frame::Text(frame));
        }
    }

    /// Discord asks the client to reconnect (and resume).
    pub fn reconnect(&self) {
        let st = self.state.lock().unwrap();
        if let Some((_, tx)) = st.open.last() {
            let _ = tx.send(Frame::Text(json!({ "op": 7, "d": null }).to_string()));
        }
    }

    /// The open connection vanishes, no close frame.
    pub fn drop_open(&self) {
        let st = self.state.lock().unwrap();
        if let Some((_, tx)) = st.open.last() {
            let _ = tx.send(Frame::Drop);
        }
    }

    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Seen]) -> bool) -> Vec<Seen> {
        self.seen.wait_for(what, done).await
    }
}
