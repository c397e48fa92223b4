//! Preflight findings and the plan shown on an approval card.

use serde::{Deserialize, Serialize};

use super::command::CreateRequest;
use super::ids::{AccountId, ZillizRegion};
use crate::i18n::{Locale, Text};
use crate::{t, text};

/// How much a finding matters: a blocking one refuses the request, a warning
/// goes on the card for the approver to weigh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Blocking,
    Warning,
}

/// Something preflight found, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub message: Text,
    pub fix: Option<Text>,
}

impl Finding {
    pub fn blocking(message: Text, fix: Text) -> Self {
        Self {
            severity: Severity::Blocking,
            message,
            fix: Some(fix),
        }
    }

    pub fn warning(message: Text, fix: Option<Text>) -> Self {
        Self {
            severity: Severity::Warning,
            message,
            fix,
        }
    }

    /// The finding and its fix, in `locale`.
    pub fn render(&self, locale: Locale) -> String {
        let message = self.message.render(locale);
        match &self.fix {
            Some(fix) => t!(
                locale,
                "finding-with-fix",
                finding = message,
                fix = fix.render(locale)
            ),
            None => message,
        }
    }

    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Blocking
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Locale::En))
    }
}

/// The outcome of preflight: what the job will do and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub endpoint_service: String,
    pub account: Option<AccountId>,
    /// Zilliz says the service admits only allowed AWS accounts.
    pub whitelist_required: bool,
    pub findings: Vec<Finding>,
}

impl Plan {
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_blocking())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_blocking())
    }

    /// The actions the job will take, in words, for the card.
    pub fn actions(&self, request: &CreateRequest, locale: Locale) -> Vec<String> {
        let mut out = Vec::new();
        if self.whitelist_required {
            let account = match &self.account {
                Some(a) => a.to_string(),
                None => t!(locale, "plan-account-of-bot"),
            };
            out.push(t!(
                locale,
                "plan-allow-account",
                account = account,
                service = self.endpoint_service
            ));
        }
        out.extend([
            t!(
                locale,
                "plan-create-endpoint",
                vpc = request.vpc,
                service = self.endpoint_service,
                subnets = join(&request.subnets),
                sgs = join(&request.security_groups)
            ),
            t!(
                locale,
                "plan-register",
                project = request.project,
                region = request.region
            ),
        ]);
        for cluster in &request.clusters {
            out.push(t!(
                locale,
                "plan-zone",
                cluster = cluster,
                vpc = request.vpc
            ));
        }
        out
    }
}

pub fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The port of an address such as `https://in01-…:19531` (443 when an
/// https address names none).
pub fn port_of(address: &str) -> Option<i32> {
    let with_scheme = if address.contains("://") {
        address.to_owned()
    } else {
        format!("https://{address}")
    };
    url::Url::parse(&with_scheme)
        .ok()?
        .port_or_known_default()
        .map(i32::from)
}

/// Which Zilliz Cloud a control-plane URL belongs to: the global one or
/// Zilliz Cloud China, which runs its own control plane for `aws-cn-*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlPlane {
    pub url: String,
    pub china: bool,
}

impl ControlPlane {
    /// `china` as configured, else read from the URL (China's hosts end in
    /// `.cn`): a gateway or proxy in front of either says which it is.
    pub fn new(url: &str, china: Option<bool>) -> Self {
        let by_host = url::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_end_matches('.').ends_with(".cn"))
            })
            .unwrap_or(false);
        Self {
            url: url.to_owned(),
            china: china.unwrap_or(by_host),
        }
    }
}

/// What to do when a region and the control plane belong to different
/// Zilliz Clouds.
pub fn control_plane_fix() -> Text {
    text!("fix-control-plane")
}

/// Zilliz Cloud China runs its own control plane: a region of one with the
/// other's URL and key cannot work. The problem, naming both, if so.
pub fn control_plane_mismatch(region: &ZillizRegion, plane: &ControlPlane) -> Option<Text> {
    let china_region = region.aws_region().partition() == crate::domain::ids::Partition::AwsCn;
    if china_region == plane.china {
        return None;
    }
    let control_plane = plane.url.as_str();
    Some(if china_region {
        text!(
            "finding-needs-china-plane",
            region = region,
            url = control_plane
        )
    } else {
        text!(
            "finding-needs-global-plane",
            region = region,
            url = control_plane
        )
    })
}
