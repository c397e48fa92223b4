//! `sandbox …` and the welcome a channel's first command gets, where the
//! bot runs with `serve --sandbox`: the channel's world and the line that
//! links it, a reset, a scenario for the next job, and the `drift`
//! scenario's hand-made breakage of the channel's last finished link.

use super::{Reply, Service};
use crate::domain::job::{Conversation, JobState};
use crate::domain::policy::Actor;
use crate::domain::sandbox::{SandboxAsk, Scenario, World};
use crate::i18n::{Locale, render};
use crate::ports::sandbox::Playground;
use crate::t;

/// The welcome for `world`: what it holds and the line to paste.
fn welcome(world: &World, locale: Locale) -> String {
    let join = |items: Vec<String>| items.join(", ");
    t!(
        locale,
        "sandbox-welcome",
        vpc = world.vpc.to_string(),
        region = world.region.to_string(),
        subnets = join(world.subnets.iter().map(ToString::to_string).collect()),
        sg = world.security_group.to_string(),
        project = world.project.to_string(),
        clusters = join(world.clusters.iter().map(ToString::to_string).collect()),
        line = world.create_line()
    )
}

fn failed(e: impl std::fmt::Display, locale: Locale) -> Reply {
    Reply::say(t!(locale, "sandbox-failed", why = e.to_string()))
}

impl Service {
    fn playground(&self) -> Option<&dyn Playground> {
        self.p.playground.as_deref()
    }

    /// Whether a command from `at` must wait for its world to be seeded
    /// (so not be answered in the acknowledgement).
    pub(super) fn sandbox_unseeded(&self, at: &Conversation) -> bool {
        self.playground().is_some_and(|p| !p.knows(at))
    }

    /// The welcome, when this is the first command in the channel from
    /// someone who may ask there.
    pub(super) async fn sandbox_welcome(
        &self,
        actor: &Actor,
        at: &Conversation,
        locale: Locale,
    ) -> Option<String> {
        let playground = self.playground()?;
        if playground.knows(at) {
            return None;
        }
        // Nobody who may not ask here seeds a world.
        let here = self.channel_seen(at).await;
        self.p.policy.may_request_here(actor, &here.at).ok()?;
        match playground.world(at).await {
            Ok((world, true)) => Some(welcome(&world, locale)),
            Ok((_, false)) => None,
            Err(e) => Some(failed(e, locale).text),
        }
    }

    pub(super) async fn sandbox(
        &self,
        actor: &Actor,
        at: &Conversation,
        ask: SandboxAsk,
        locale: Locale,
    ) -> Reply {
        let Some(playground) = self.playground() else {
            return Reply::say(t!(locale, "sandbox-off"));
        };
        let here = self.channel_seen(at).await;
        if let Err(denied) = self.p.policy.may_request_here(actor, &here.at) {
            return Reply::say(denied.0.render(locale));
        }
        match ask {
            SandboxAsk::Show => match playground.world(at).await {
                Ok((world, _)) => Reply::say(welcome(&world, locale)),
                Err(e) => failed(e, locale),
            },
            SandboxAsk::Reset => match playground.reset(at).await {
                Ok(world) => Reply::say(format!(
                    "{}\n{}",
                    t!(locale, "sandbox-reset-done"),
                    welcome(&world, locale)
                )),
                Err(e) => failed(e, locale),
            },
            SandboxAsk::Scenarios => {
                let mut text = t!(locale, "sandbox-scenarios");
                for s in Scenario::ALL {
                    text.push_str(&format!(
                        "\n• {}: {}",
                        s.name(),
                        render(locale, s.key(), &[])
                    ));
                }
                Reply::say(text)
            }
            SandboxAsk::Scenario(Scenario::Drift) => self.break_last_link(at, locale).await,
            SandboxAsk::Scenario(scenario) => match playground.arm(at, scenario).await {
                Ok(()) => Reply::say(t!(
                    locale,
                    "sandbox-armed",
                    scenario = scenario.name(),
                    what = render(locale, scenario.key(), &[])
                )),
                Err(e) => failed(e, locale),
            },
        }
    }

    /// The `drift` scenario: the alias of the channel's last finished
    /// link, deleted by hand, for the drift watch to find.
    async fn break_last_link(&self, at: &Conversation, locale: Locale) -> Reply {
        let Some(playground) = self.playground() else {
            return Reply::say(t!(locale, "sandbox-off"));
        };
        let jobs = match self.p.store.all_jobs().await {
            Ok(jobs) => jobs,
            Err(e) => return super::store_failed(e, locale),
        };
        let last = jobs
            .into_iter()
            .filter(|j| j.conversation() == at && *j.state() == JobState::Succeeded)
            .max_by_key(|j| j.id());
        let Some((job, vpc, host)) = last.and_then(|j| {
            let host = j.resources().clusters.first()?.host.clone();
            Some((j.id(), j.request().vpc.clone(), host))
        }) else {
            return Reply::say(t!(locale, "sandbox-drift-none"));
        };
        match playground.delete_alias(&vpc, &host).await {
            Ok(true) => Reply::say(t!(
                locale,
                "sandbox-drift-done",
                host = host.as_str(),
                job = job,
                every = humantime::format_duration(self.p.watch.interval()).to_string()
            )),
            Ok(false) => Reply::say(t!(locale, "sandbox-drift-none")),
            Err(e) => failed(e, locale),
        }
    }
}
