//! The fake's file upload, as `files.uploadV2` drives it: an upload URL
//! for a name and a length (`files.getUploadURLExternal`), the bytes
//! posted there (answered `OK - <length>` in plain text, as Slack's upload
//! host answers), then the share into a channel or thread
//! (`files.completeUploadExternal`), refused for a file never uploaded
//! or uploaded short.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::routes::json_response;
use super::*;

/// A file asked for: its name, its announced length, and the bytes once
/// posted.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub name: String,
    pub length: usize,
    pub bytes: Option<Vec<u8>>,
}

pub(super) fn upload_url(app: &App, query: &std::collections::HashMap<String, String>) -> Response {
    let name = query.get("filename").cloned().unwrap_or_default();
    let length = query.get("length").and_then(|l| l.parse::<usize>().ok());
    let (Some(length), false) = (length, name.is_empty()) else {
        return json_response(
            StatusCode::OK,
            json!({ "ok": false, "error": "invalid_arguments" }),
        );
    };
    let mut st = app.state.lock().unwrap();
    st.next_file += 1;
    let id = format!("F{:08}", st.next_file);
    st.uploads.insert(
        id.clone(),
        Upload {
            name,
            length,
            bytes: None,
        },
    );
    let url = format!("{}/upload/{id}", st.base_url);
    json_response(
        StatusCode::OK,
        json!({ "ok": true, "upload_url": url, "file_id": id }),
    )
}

pub(super) async fn upload(
    State(app): State<App>,
    Path(id): Path<String>,
    _headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut st = app.state.lock().unwrap();
    match st.uploads.get_mut(&id) {
        Some(u) => {
            u.bytes = Some(body.to_vec());
            drop(st);
            app.recorder.push(Call {
                method: format!("upload {id}"),
                body: Value::Null,
            });
            (StatusCode::OK, format!("OK - {}", body.len())).into_response()
        }
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

/// Shares the uploaded files; the recorded call carries each file's name
/// and text, for tests to read.
pub(super) fn complete(app: &App, body: &Value) -> Response {
    let st = app.state.lock().unwrap();
    let mut shared = Vec::new();
    for f in body["files"].as_array().cloned().unwrap_or_default() {
        let id = f["id"].as_str().unwrap_or_default();
        match st.uploads.get(id) {
            Some(Upload {
                name,
                length,
                bytes: Some(bytes),
            }) if bytes.len() == *length => shared.push(json!({
                "id": id,
                "name": name,
                "title": f["title"],
                "content": String::from_utf8_lossy(bytes),
            })),
            _ => {
                return json_response(
                    StatusCode::OK,
                    json!({ "ok": false, "error": "file_not_found" }),
                );
            }
        }
    }
    drop(st);
    let mut recorded = body.clone();
    recorded["shared"] = json!(shared);
    app.recorder.push(Call {
        method: "files.completeUploadExternal".to_owned(),
        body: recorded,
    });
    let files: Vec<Value> = shared
        .iter()
        .map(|f| json!({ "id": f["id"], "name": f["name"], "title": f["title"] }))
        .collect();
    json_response(StatusCode::OK, json!({ "ok": true, "files": files }))
}
