//! The bot's IAM policy in force at the proxy. moto lets any caller do
//! anything; AWS evaluates the caller's policy on every call. So the
//! sandbox's credentials hold exactly `config/iam-policy.json` (the
//! policy an operator attaches), and a call it does not grant is answered
//! as AWS answers it, conditions included:
//!
//! - an action is allowed when an `Allow` statement names it (wildcards,
//!   case-insensitively) on a matching resource with every condition met,
//!   and no `Deny` statement does; nothing else is allowed;
//! - conditions: `StringEquals`, `StringNotEquals`, `StringLike`,
//!   `ArnEquals`, `ArnLike`; any other operator fails closed (the statement
//!   does not apply), as does a key the request does not carry;
//! - `CreateVpcEndpoint` with tags also needs `ec2:CreateTags` with
//!   `ec2:CreateAction = CreateVpcEndpoint`; `DeleteVpcEndpoints` is
//!   judged per endpoint with its tags (`ec2:ResourceTag/<key>`, read from
//!   moto); `sts:AssumeRole`'s resource is the role's ARN.
//!
//! Assumed roles are given the same policy (the README asks that the
//! customer's role grant it).

use axum::response::Response;
use serde_json::Value;

/// One statement, as the policy document writes it.
#[derive(Debug, Clone)]
struct Statement {
    allow: bool,
    actions: Vec<String>,
    resources: Vec<String>,
    /// (operator, key, values)
    conditions: Vec<(String, String, Vec<String>)>,
}

/// A policy document, parsed.
#[derive(Debug, Clone)]
pub struct Policy {
    statements: Vec<Statement>,
}

/// What a call asks for: one action on one resource, with its context.
#[derive(Debug, Clone)]
pub struct Ask {
    pub action: String,
    pub resource: String,
    /// Condition keys and their values (`ec2:CreateAction`, …).
    pub context: Vec<(String, String)>,
}

impl Ask {
    /// An action on a resource, with no condition keys.
    fn plain(action: String, resource: String) -> Self {
        Self {
            action,
            resource,
            context: Vec::new(),
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// `*` and `?` wildcards, as IAM matches actions and resources.
fn matches(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if ignore_case {
        (
            pattern.to_ascii_lowercase().chars().collect(),
            text.to_ascii_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // Iterative glob with backtracking on the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

impl Policy {
    pub fn parse(document: &str) -> Result<Self, String> {
        let doc: Value = serde_json::from_str(document).map_err(|e| e.to_string())?;
        let statements = doc["Statement"]
            .as_array()
            .ok_or("a policy needs a Statement list")?
            .iter()
            .map(|s| {
                let mut conditions = Vec::new();
                if let Some(ops) = s["Condition"].as_object() {
                    for (op, keys) in ops {
                        for (key, values) in keys.as_object().into_iter().flatten() {
                            conditions.push((op.clone(), key.clone(), strings(values)));
                        }
                    }
                }
                Statement {
                    allow: s["Effect"] == "Allow",
                    actions: strings(&s["Action"]),
                    resources: strings(&s["Resource"]),
                    conditions,
                }
            })
            .collect();
        Ok(Self { statements })
    }

    /// The bot's own policy, as shipped.
    pub fn shipped() -> Self {
        Self::parse(include_str!("../../../../config/iam-policy.json")).unwrap_or(Self {
            statements: Vec::new(),
        })
    }

    /// Whether the policy grants `ask`.
    pub fn allows(&self, ask: &Ask) -> bool {
        let applies = |s: &&Statement| {
            s.actions.iter().any(|a| matches(a, &ask.action, true))
                && s.resources.iter().any(|r| matches(r, &ask.resource, false))
                && s.conditions.iter().all(|(op, key, values)| {
                    let Some((_, actual)) = ask
                        .context
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    else {
                        return false;
                    };
                    match op.as_str() {
                        "StringEquals" | "ArnEquals" => values.iter().any(|v| v == actual),
                        "StringNotEquals" => values.iter().all(|v| v != actual),
                        "StringLike" | "ArnLike" => {
                            values.iter().any(|v| matches(v, actual, false))
                        }
                        _ => false,
                    }
                })
        };
        let denied = self
            .statements
            .iter()
            .filter(|s| !s.allow)
            .any(|s| applies(&s));
        !denied
            && self
                .statements
                .iter()
                .filter(|s| s.allow)
                .any(|s| applies(&s))
    }

    /// A copy that no longer grants `action` (a policy an operator trimmed
    /// too far), for tests.
    pub fn without(&self, action: &str) -> Self {
        let mut trimmed = self.clone();
        for s in &mut trimmed.statements {
            s.actions.retain(|a| !a.eq_ignore_ascii_case(action));
        }
        trimmed
    }

    /// A copy whose `action` grant covers only `resources`.
    pub fn with_resources(&self, action: &str, resources: &[&str]) -> Self {
        let mut changed = self.clone();
        for s in &mut changed.statements {
            if s.actions.iter().any(|a| a.eq_ignore_ascii_case(action)) {
                s.resources = resources.iter().map(|r| (*r).to_owned()).collect();
            }
        }
        changed
    }
}

/// The partition of a signing region.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

/// What the caller's policy says of one call: None when it is granted,
/// else AWS's refusal in the service's shape, and its code.
pub(super) async fn authorize(
    http: &reqwest::Client,
    policy: &Policy,
    seen: &str,
    form: &[(String, String)],
    path: &str,
    authorization: &str,
    upstream: &str,
) -> Option<(Response, &'static str)> {
    let (service, region) = super::credential_scope(authorization)?;
    let partition = partition(&region);
    let operation = seen.trim_end_matches(" DryRun");
    let asks: Vec<Ask> = match service.as_str() {
        "ec2" => {
            let scope = (partition, region.as_str());
            ec2_asks(operation, form, scope, (http, upstream, authorization)).await
        }
        "sts" => {
            let resource = match operation {
                "AssumeRole" => super::form_value(form, "RoleArn")
                    .unwrap_or_default()
                    .to_owned(),
                _ => "*".to_owned(),
            };
            vec![Ask::plain(format!("sts:{operation}"), resource)]
        }
        "route53" => {
            let id = path
                .split('?')
                .next()
                .and_then(|p| p.split("/hostedzone/").nth(1))
                .and_then(|rest| rest.split('/').next())
                .filter(|id| !id.is_empty());
            let resource = match id {
                Some(id) => format!("arn:{partition}:route53:::hostedzone/{id}"),
                None => "*".to_owned(),
            };
            vec![Ask::plain(format!("route53:{operation}"), resource)]
        }
        _ => return None,
    };
    let refused = asks.iter().find(|a| !policy.allows(a))?;
    let user = format!("arn:{partition}:iam::123456789012:user/privatelink-bot");
    let message = format!(
        "User: {user} is not authorized to perform: {} on resource: {} because no identity-based policy allows the {} action",
        refused.action, refused.resource, refused.action
    );
    let code = if service == "ec2" {
        "UnauthorizedOperation"
    } else {
        "AccessDenied"
    };
    let fault = super::Fault::error(seen, 403, code, &message);
    Some((super::error_answer(&fault), code))
}

/// What an EC2 call asks of the policy: creating an endpoint with tags
/// also asks for `ec2:CreateTags`; deleting endpoints asks once per
/// endpoint, with its tags (read from moto as the caller).
async fn ec2_asks(
    operation: &str,
    form: &[(String, String)],
    (partition, region): (&str, &str),
    (http, upstream, authorization): (&reqwest::Client, &str, &str),
) -> Vec<Ask> {
    let action = format!("ec2:{operation}");
    match operation {
        "CreateVpcEndpoint" => {
            let mut asks = vec![Ask::plain(action, "*".to_owned())];
            if form.iter().any(|(k, _)| k.starts_with("TagSpecification.")) {
                asks.push(Ask {
                    action: "ec2:CreateTags".to_owned(),
                    resource: "*".to_owned(),
                    context: vec![(
                        "ec2:CreateAction".to_owned(),
                        "CreateVpcEndpoint".to_owned(),
                    )],
                });
            }
            asks
        }
        "DeleteVpcEndpoints" => endpoint_tags(http, upstream, authorization, form)
            .await
            .into_iter()
            .map(|(id, tags)| Ask {
                action: action.clone(),
                resource: format!("arn:{partition}:ec2:{region}:123456789012:vpc-endpoint/{id}"),
                context: tags
                    .into_iter()
                    .map(|(k, v)| (format!("ec2:ResourceTag/{k}"), v))
                    .collect(),
            })
            .collect(),
        _ => vec![Ask::plain(action, "*".to_owned())],
    }
}

/// The tags of the endpoints a `DeleteVpcEndpoints` names, read from moto
/// as the caller: (id, [(key, value)]).
async fn endpoint_tags(
    http: &reqwest::Client,
    upstream: &str,
    authorization: &str,
    form: &[(String, String)],
) -> Vec<(String, Vec<(String, String)>)> {
    let ids: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k.starts_with("VpcEndpointId."))
        .map(|(_, v)| v.as_str())
        .collect();
    let mut query = vec![
        ("Action".to_owned(), "DescribeVpcEndpoints".to_owned()),
        ("Version".to_owned(), "2016-11-15".to_owned()),
    ];
    for (i, id) in ids.iter().enumerate() {
        query.push((format!("VpcEndpointId.{}", i + 1), (*id).to_owned()));
    }
    let text = match http
        .post(format!("{upstream}/"))
        .header("authorization", authorization)
        .form(&query)
        .send()
        .await
    {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let mut out: Vec<(String, Vec<(String, String)>)> = ids
        .iter()
        .map(|id| ((*id).to_owned(), Vec::new()))
        .collect();
    for item in text.split("<vpcEndpointId>").skip(1) {
        let id = item.split('<').next().unwrap_or_default();
        let tags = item
            .split_once("<tagSet>")
            .and_then(|(_, rest)| rest.split_once("</tagSet>"))
            .map(|(set, _)| set)
            .unwrap_or_default()
            .split("<item>")
            .filter_map(|t| {
                Some((
                    super::xml_value(t, "key")?.to_owned(),
                    super::xml_value(t, "value")?.to_owned(),
                ))
            })
            .collect();
        if let Some(entry) = out.iter_mut().find(|(i, _)| i == id) {
            entry.1 = tags;
        }
    }
    out
}

#[cfg(test)]
mod tests;
