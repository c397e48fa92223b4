//! Readiness of the chat transports that connect out (Socket Mode, the
//! Discord gateway): each reports here whether it is connected, and
//! `/readyz` (`health`) reads it. A port, so that adapters and the
//! supervisor report without knowing who asks.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// The chat transports that connect out, and whether each is connected.
#[derive(Default)]
pub struct Transports {
    connected: Mutex<BTreeMap<String, bool>>,
}

impl Transports {
    /// Registers `name` as a transport readiness waits for (not connected).
    pub fn expect(&self, name: &str) {
        if let Ok(mut c) = self.connected.lock() {
            c.entry(name.to_owned()).or_insert(false);
        }
    }

    pub fn set(&self, name: &str, connected: bool) {
        if let Ok(mut c) = self.connected.lock() {
            c.insert(name.to_owned(), connected);
        }
    }

    /// The transports not connected now.
    pub fn down(&self) -> Vec<String> {
        self.connected
            .lock()
            .map(|c| {
                c.iter()
                    .filter(|(_, up)| !**up)
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}
