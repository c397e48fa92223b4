//! `check-config --online`: proves, before the first job, that every
//! credential the bot was given works for what the bot will do with it. Each
//! adapter probes its own service (`cloud::aws::probe`, `cloud::zilliz::probe`,
//! `chat::slack::probe`, `chat::discord::probe`) and answers with rows; this
//! module runs them, renders the table and decides the exit status.
//!
//! A probe never changes anything: EC2 is asked with `DryRun`, the others
//! with read calls.

use crate::chat::platform::PlatformSettings;
use crate::cloud::aws::AwsAccess;
use crate::config::Config;
use crate::domain::ids::ChannelName;
use crate::secret::SecretSource;

pub use crate::ports::probe::{Outcome, Row, Scope};

/// Every row, in the order they were checked.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: Vec<Row>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.rows.iter().any(Row::failed)
    }

    /// The row for `check`, if there is one.
    pub fn row(&self, check: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.check == check)
    }

    /// The table as people read it: one line per check, the fix under each
    /// failure, and a last line that says whether everything passed.
    pub fn render(&self) -> String {
        let width = self
            .rows
            .iter()
            .map(|r| r.check.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for r in &self.rows {
            let pad = " ".repeat(width.saturating_sub(r.check.chars().count()));
            let (tag, detail) = match &r.outcome {
                Outcome::Pass(d) => ("ok  ", d.as_str()),
                Outcome::Fail { problem, .. } => ("FAIL", problem.as_str()),
                Outcome::Skipped(d) => ("skip", d.as_str()),
                Outcome::Warn { problem, .. } => ("warn", problem.as_str()),
            };
            out.push_str(&format!("{}{pad}  {tag}  {detail}\n", r.check));
            if let Outcome::Fail { fix, .. } | Outcome::Warn { fix, .. } = &r.outcome {
                out.push_str(&format!("{}  fix:  {fix}\n", " ".repeat(width)));
            }
        }
        let failures = self.rows.iter().filter(|r| r.failed()).count();
        let warnings = self
            .rows
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Warn { .. }))
            .count();
        out.push_str(&match (failures, warnings) {
            (0, 0) => "every check passed\n".to_owned(),
            (0, w) => format!("every check passed; {w} warning(s) to read\n"),
            (n, _) => format!("{n} check(s) failed\n"),
        });
        out
    }
}

/// Runs every probe the config calls for.
pub async fn online(config: &Config, scope: &Scope) -> Report {
    let mut rows = rule_rows(config);
    let zilliz = crate::cloud::zilliz::probe::run(&config.zilliz, scope).await;
    let service_name = zilliz.service_name.clone();
    rows.extend(zilliz.rows);
    let aws = AwsAccess::new(config.aws.clone());
    rows.extend(
        aws.probe(
            &scope.region.aws_region(),
            &config.policy.roles,
            scope.vpc.as_ref(),
            service_name.as_deref(),
        )
        .await,
    );
    for platform in config.chat_platforms() {
        rows.extend(platform.probe().await);
        rows.extend(channel_rows(config, platform).await);
    }
    Report { rows }
}

/// One row per channel a rule names by name on `platform`: the channel
/// it stands for, or a warning when it stands for none or for several.
async fn channel_rows(config: &Config, platform: &dyn PlatformSettings) -> Vec<Row> {
    let named: Vec<(String, ChannelName)> = config
        .policy
        .rules
        .iter()
        .flat_map(|r| r.channels.iter().map(move |c| (r, c)))
        .filter(|(_, c)| c.platform == platform.platform())
        .filter_map(|(r, c)| c.name().map(|n| (r.name.clone(), n.clone())))
        .collect();
    if named.is_empty() {
        return Vec::new();
    }
    let check = |rule: &str, name: &ChannelName| {
        format!("Rule {rule}: {}:{name}", platform.platform().as_str())
    };
    let sink = match platform.connect(&SecretSource::environment()) {
        Ok(connected) => connected.sink(),
        Err(e) => {
            return named
                .iter()
                .map(|(rule, name)| Row::skipped(check(rule, name), format!("{e:#}")))
                .collect();
        }
    };
    let mut rows = Vec::new();
    for (rule, name) in &named {
        let ids = sink.channels_named(platform.platform(), name).await;
        rows.push(match ids.as_deref() {
            Ok([one]) => Row::pass(check(rule, name), format!("the channel {one}")),
            Ok([]) => Row::warn(
                check(rule, name),
                format!("no channel the bot can see is named {name}: the rule matches nowhere yet"),
                "check the name; a private channel is seen only once the bot is invited to it",
            ),
            Ok(several) => Row::warn(
                check(rule, name),
                format!(
                    "{} channels are named {name} ({}): the rule matches in each",
                    several.len(),
                    several.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                ),
                "name the one meant by its id",
            ),
            Err(e) => Row::warn(
                check(rule, name),
                format!("could not list the channels: {e}"),
                "give the bot the scope to read channels (Slack: channels:read, groups:read) and check again",
            ),
        });
    }
    rows
}

/// The policy's rules, one row each, in the order they are tried (the
/// config's validation has refused any that could never apply).
fn rule_rows(config: &Config) -> Vec<Row> {
    fn any<T: std::fmt::Display>(items: &[T]) -> String {
        match items.is_empty() {
            true => "any".to_owned(),
            false => items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }
    config
        .policy
        .in_force()
        .iter()
        .map(|r| {
            let a = r.approvals;
            Row::pass(
                format!("Policy rule {}", r.name),
                format!(
                    "channels {}; accounts {}; regions {}; projects {}; approvals create {} delete {} repair {}",
                    any(&r.channels),
                    any(&r.accounts),
                    any(&r.regions),
                    any(&r.projects),
                    a.create,
                    a.delete,
                    a.repair
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_checks_puts_each_fix_under_its_failure_and_counts_failures() {
        let report = Report {
            rows: vec![
                Row::pass("STS caller identity", "account 123456789012"),
                Row::fail("Zilliz API key", "refused", "set ZILLIZ_API_KEY"),
                Row::skipped("Route 53", "no VPC"),
            ],
        };
        let text = report.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "STS caller identity  ok    account 123456789012");
        assert_eq!(lines[1], "Zilliz API key       FAIL  refused");
        assert_eq!(lines[2], "                     fix:  set ZILLIZ_API_KEY");
        assert_eq!(lines[3], "Route 53             skip  no VPC");
        assert_eq!(lines[4], "1 check(s) failed");
        assert!(report.failed());
        assert!(!Report::default().failed());
    }
}
