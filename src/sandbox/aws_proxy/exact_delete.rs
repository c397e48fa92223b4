//! Route 53's DELETE as AWS judges it: a record goes only when the change
//! names it exactly as it is (name, type, alias target and
//! `EvaluateTargetHealth`). moto deletes whatever matches the name.

use axum::response::Response;

use super::{Fault, error_answer, xml_value};

/// Route 53 deletes a record only when the DELETE names it exactly as it
/// is: name, type, alias target and `EvaluateTargetHealth`. moto deletes
/// whatever matches the name; the proxy reads the zone first and answers
/// `InvalidChangeBatch` as AWS does when nothing matches.
pub(super) async fn refuse_inexact_delete(
    http: &reqwest::Client,
    upstream: &str,
    path: &str,
    authorization: &str,
    body: &str,
) -> Option<(Response, &'static str)> {
    if xml_value(body, "Action") != Some("DELETE") {
        return None;
    }
    let wanted = AliasRecord::from_xml(body)?;
    let zone_path = path.split('?').next().unwrap_or(path);
    let listing = http
        .get(format!("{upstream}{zone_path}"))
        // The caller's own scope: moto keeps each partition's Route 53 apart.
        .header("authorization", authorization)
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let mut rest = listing.as_str();
    let mut same_name = false;
    while let Some((_, after)) = rest.split_once("<ResourceRecordSet>") {
        let (one, after) = after.split_once("</ResourceRecordSet>")?;
        if let Some(current) = AliasRecord::from_xml(one)
            && current.name == wanted.name
            && current.kind == wanted.kind
        {
            same_name = true;
            if current == wanted {
                return None;
            }
        }
        rest = after;
    }
    let why = if same_name {
        "but the values provided do not match the current values"
    } else {
        "but it was not found"
    };
    let message = format!(
        "[Tried to delete resource record set [name='{}', type='{}'] {why}]",
        wanted.name, wanted.kind
    );
    let answer = error_answer(&Fault::error(
        "ChangeResourceRecordSets",
        400,
        "InvalidChangeBatch",
        &message,
    ));
    Some((answer, "InvalidChangeBatch"))
}

/// An alias record as a DELETE or a listing states it.
#[derive(Debug, PartialEq, Eq)]
struct AliasRecord {
    name: String,
    kind: String,
    target: String,
    zone: String,
    evaluate: bool,
}

impl AliasRecord {
    fn from_xml(xml: &str) -> Option<Self> {
        let canonical = |s: &str| s.trim_end_matches('.').to_ascii_lowercase();
        Some(Self {
            name: canonical(xml_value(xml, "Name")?),
            kind: xml_value(xml, "Type")?.to_owned(),
            target: canonical(xml_value(xml, "DNSName")?),
            zone: xml_value(xml, "HostedZoneId")?.to_owned(),
            evaluate: xml_value(xml, "EvaluateTargetHealth")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        })
    }
}
