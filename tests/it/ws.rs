//! A WebSocket server on a free loopback port, for the fakes that speak one
//! (Slack's Socket Mode, Discord's gateway): bound first, so the fake knows
//! its URL, then each accepted connection, once its handshake is done, goes
//! to `on_socket`.

use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;

/// A listener and its `ws://` URL (ending in `path`).
pub async fn bind(path: &str) -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}{path}", listener.local_addr().unwrap());
    (listener, url)
}

/// Hands every connection on `listener` to `on_socket`, in the background.
pub fn accept(
    listener: TcpListener,
    on_socket: impl Fn(WebSocketStream<TcpStream>) + Send + 'static,
) {
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
                continue;
            };
            on_socket(socket);
        }
    });
}
