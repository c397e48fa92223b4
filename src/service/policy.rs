//! `policy [channel] [account] [region] [project]`: which guardrail
//! applies there and what it asks, answered privately; or that none does,
//! and what a rule would have to cover.

use super::{Reply, Service};
use crate::domain::command::PolicyQuery;
use crate::domain::job::Conversation;
use crate::domain::rules::{NoRule, Where, rule_for};
use crate::i18n::Locale;
use crate::t;

impl Service {
    pub(super) async fn which_rule(
        &self,
        conversation: &Conversation,
        q: PolicyQuery,
        locale: Locale,
    ) -> Reply {
        let seen = match &q.channel {
            Some(asked) => self.channel_asked(asked, conversation).await,
            None => self.channel_seen(conversation).await,
        };
        let at = Where {
            channel: seen.at.clone(),
            account: q.account,
            region: q.region,
            project: q.project,
        };
        let shown = |v: Option<String>| v.unwrap_or_else(|| t!(locale, "policy-any"));
        let place = t!(
            locale,
            "policy-where",
            channel = at.channel.to_string(),
            account = shown(at.account.as_ref().map(ToString::to_string)),
            region = shown(at.region.as_ref().map(ToString::to_string)),
            project = shown(at.project.as_ref().map(ToString::to_string))
        );
        let rules = self.p.policy.in_force();
        let rule = match rule_for(&rules, &at) {
            Ok(rule) => rule,
            Err(NoRule::NameUnread { rule }) => {
                let unknown = t!(
                    locale,
                    "policy-name-unread",
                    place = place,
                    rule = rule.as_str()
                );
                return Reply::say(super::request::with_unread(unknown, &seen, locale));
            }
            Err(NoRule::Unmatched(_)) => {
                let none = t!(locale, "policy-none", place = place);
                return Reply::say(super::request::with_unread(none, &seen, locale));
            }
        };
        let list = |items: Vec<String>| match items.is_empty() {
            true => t!(locale, "policy-any"),
            false => items.join(", "),
        };
        let names = |ps: &[crate::domain::policy::Principal]| {
            list(ps.iter().map(ToString::to_string).collect())
        };
        let a = rule.approvals;
        Reply::say(t!(
            locale,
            "policy-rule",
            place = place,
            rule = rule.name.as_str(),
            channels = list(rule.channels.iter().map(ToString::to_string).collect()),
            accounts = list(rule.accounts.iter().map(ToString::to_string).collect()),
            regions = list(rule.regions.iter().map(ToString::to_string).collect()),
            projects = list(rule.projects.iter().map(ToString::to_string).collect()),
            requesters = names(&rule.requesters),
            approvers = names(&rule.approvers),
            create = a.create,
            delete = a.delete,
            repair = a.repair
        ))
    }
}
