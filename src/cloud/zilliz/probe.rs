//! The Zilliz Cloud rows of `check-config --online`: the control plane fits
//! the region, the API key is accepted (it lists the region's endpoint
//! services), and a named project is readable. Read calls only.

use super::ZillizSettings;
use super::{ZillizClient, lacks_permission};
use crate::domain::plan::{control_plane_fix, control_plane_mismatch};
use crate::i18n::Locale;
use crate::ports::cloud::{CloudError, Vendor};
use crate::ports::error::ErrorKind;
use crate::ports::probe::{Row, Scope};

/// The rows, and the region's endpoint service for the AWS DryRun.
pub struct Probed {
    pub rows: Vec<Row>,
    pub service_name: Option<String>,
}

fn fix_for(e: &CloudError, key_env: &str, base: &str) -> String {
    if lacks_permission(e) {
        "give the API key's user a role in the project that may manage private endpoints (Project Admin or Organization Owner)".to_owned()
    } else if e.kind == ErrorKind::Denied {
        format!(
            "set {key_env} to a valid API key from the console of {base} (a Zilliz Cloud China key works only with base_url = \"cn\", and the reverse)"
        )
    } else if matches!(e.kind, ErrorKind::Unavailable | ErrorKind::Throttled) {
        format!(
            "Zilliz Cloud did not answer cleanly; check that {base} is reachable and run the check again"
        )
    } else {
        "see Zilliz Cloud's answer; quote its request id to Zilliz support".to_owned()
    }
}

pub async fn run(zilliz: &ZillizSettings, scope: &Scope) -> Probed {
    let base = zilliz.base_url.as_str();
    let key_env = zilliz.api_key_env.as_str();
    let mut rows = Vec::new();
    rows.push(plane_row(zilliz, scope));
    let key_check = "Zilliz API key";
    let skip_rest = |mut rows: Vec<Row>, why: &str| {
        rows.push(Row::skipped("Zilliz project", why));
        Probed {
            rows,
            service_name: None,
        }
    };
    let client = match zilliz
        .api_key()
        .and_then(|key| ZillizClient::new(base, key))
    {
        Ok(c) => c,
        Err(e) => {
            rows.push(Row::fail(
                key_check,
                format!("{e:#}"),
                format!("set {key_env} to the API key from Zilliz Cloud's console"),
            ));
            return skip_rest(rows, "no API key to read it with");
        }
    };
    let service_name = match client.services_in(&scope.region, None).await {
        Ok(services) => {
            let here = services
                .into_iter()
                .find(|s| s.region == scope.region.as_str());
            match &here {
                Some(s) => rows.push(Row::pass(
                    key_check,
                    format!(
                        "accepted; {} offers {}{}",
                        scope.region,
                        s.service_name,
                        if s.whitelist_required {
                            " (jobs allow their AWS account in first)"
                        } else {
                            ""
                        }
                    ),
                )),
                None => rows.push(Row::fail(
                    key_check,
                    format!(
                        "the key is accepted, but Zilliz Cloud offers no PrivateLink endpoint service in {}",
                        scope.region
                    ),
                    "use a region where Zilliz Cloud offers PrivateLink (its console lists them)",
                )),
            }
            here.map(|s| s.service_name)
        }
        Err(e) => {
            rows.push(Row::fail(
                key_check,
                format!("{e:#}"),
                fix_for(&e, key_env, base),
            ));
            return skip_rest(rows, "the API key was not accepted");
        }
    };
    rows.push(project_row(&client, scope, key_env, base).await);
    Probed { rows, service_name }
}

/// Whether the configured control plane serves the region.
fn plane_row(zilliz: &ZillizSettings, scope: &Scope) -> Row {
    let plane = "Zilliz control plane";
    match control_plane_mismatch(&scope.region, &zilliz.control_plane()) {
        Some(problem) => Row::fail(
            plane,
            problem.render(Locale::En),
            control_plane_fix().render(Locale::En),
        ),
        None => Row::pass(
            plane,
            format!("{} serves {}", zilliz.base_url, scope.region),
        ),
    }
}

/// The project's private endpoints read with the key, when a project is
/// named.
async fn project_row(client: &ZillizClient, scope: &Scope, key_env: &str, base: &str) -> Row {
    match &scope.project {
        None => Row::skipped("Zilliz project", "pass --project to check one"),
        Some(p) => {
            let check = format!("Zilliz project {p}");
            match client.endpoints(p).await {
                Ok(list) => Row::pass(
                    check,
                    format!("readable; {} private endpoint(s) registered", list.len()),
                ),
                Err(e) => {
                    let fix = if e.kind == ErrorKind::InvalidInput {
                        "check the project id (the console shows it as proj-…)".to_owned()
                    } else {
                        fix_for(&e, key_env, base)
                    };
                    Row::fail(check, format!("{e:#}"), fix)
                }
            }
        }
    }
}
