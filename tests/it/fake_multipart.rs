//! Reads a `multipart/form-data` body as Discord takes a message with
//! files: the `payload_json` part is the message, each `files[n]` part a
//! file. The result is the message's JSON with a `files` list of
//! `{ "field", "filename", "content" }` added, for tests to read.

use serde_json::{Value, json};

/// The boundary of a `multipart/form-data` content type, if it is one.
pub fn boundary(content_type: &str) -> Option<&str> {
    let rest = content_type.strip_prefix("multipart/form-data")?;
    rest.split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
}

/// The form as JSON (see the module's doc).
pub fn form(body: &str, boundary: &str) -> Value {
    let delimiter = format!("--{boundary}");
    let mut message = Value::Null;
    let mut files = Vec::new();
    for part in body.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let field = attribute(head, "name").unwrap_or_default();
        match attribute(head, "filename") {
            None if field == "payload_json" => {
                message = serde_json::from_str(content).unwrap_or(Value::Null);
            }
            Some(filename) => files.push(json!({
                "field": field,
                "filename": filename,
                "content": content,
            })),
            None => {}
        }
    }
    if !message.is_object() {
        message = json!({});
    }
    message["files"] = json!(files);
    message
}

/// `name="value"` in a part's Content-Disposition.
fn attribute(head: &str, name: &str) -> Option<String> {
    let disposition = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
    disposition.split(';').map(str::trim).find_map(|p| {
        p.strip_prefix(&format!("{name}="))
            .map(|v| v.trim_matches('"').to_owned())
    })
}
