//! Drift: whether a private link the bot made still has the shape its
//! verify step left it in, judged purely from what a sweep read. The watch
//! gathers the reads (`Observed`); [`judge`] says, fact by fact, which
//! drifted, which could not be checked (a refusal: says which) and which
//! check failed (an outage: tried again quietly). Two rules keep chat
//! quiet: a drift counts only when two consecutive checks saw it
//! ([`confirmed`], as EC2 reads and Route 53 changes are eventually
//! consistent), and it is told once, until it is repaired or changes
//! ([`news`]).

use crate::domain::ids::{ClusterId, ZoneId};
use crate::domain::job::Resources;
use crate::domain::words::{EndpointState, RegistrationStatus};
use crate::i18n::Text;
use crate::text;

/// What a sweep read about one fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read<T> {
    Seen(T),
    /// The provider refused the read (access denied, a role it would not
    /// assume): the fact cannot be checked until someone grants it.
    Denied(String),
    /// The read did not complete (throttled, unavailable, timed out).
    Failed(String),
}

impl<T> Read<T> {
    /// The same outcome, its value turned by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Read<U> {
        match self {
            Read::Seen(v) => Read::Seen(f(v)),
            Read::Denied(why) => Read::Denied(why),
            Read::Failed(why) => Read::Failed(why),
        }
    }
}

/// The job's endpoint as EC2 describes it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenEndpoint {
    pub state: EndpointState,
    /// Its regional DNS entry: (name, hosted zone).
    pub regional: Option<(String, ZoneId)>,
}

/// An alias record as Route 53 holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenAlias {
    pub dns_name: String,
    pub zone: ZoneId,
}

/// One cluster's DNS as read now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenDns {
    pub host: String,
    /// Whether the job's zone is still associated with the VPC.
    pub zone_associated: Read<bool>,
    pub alias: Read<Option<SeenAlias>>,
}

/// Everything a sweep read about one job's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// None: EC2 no longer knows the endpoint.
    pub endpoint: Read<Option<SeenEndpoint>>,
    /// The job's endpoint in the project's list of private endpoints;
    /// None: not there any more.
    pub registration: Read<Option<RegistrationStatus>>,
    pub dns: Vec<SeenDns>,
    /// Each cluster's `privateLinkAddress` now.
    pub addresses: Vec<(ClusterId, Read<Option<String>>)>,
    /// The private link ports the job's security groups no longer let in.
    pub ports_closed: Read<Vec<i32>>,
}

/// A fact of a working link that no longer holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Drift {
    EndpointGone,
    /// The endpoint is there but not `available` (rejected, failed, …).
    EndpointNotAvailable(String),
    /// Its regional DNS name or zone is not the one the aliases point at.
    EndpointRenamed,
    RegistrationGone,
    RegistrationFailed(String),
    ZoneDetached {
        host: String,
    },
    AliasGone {
        host: String,
    },
    AliasRepointed {
        host: String,
        to: String,
    },
    AddressChanged {
        cluster: String,
    },
    /// The security groups no longer let the private link port in (a
    /// rule someone removed): the link is there, connections time out.
    PortsClosed {
        ports: String,
    },
}

/// Which fact a read was for, to name what could not be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fact {
    Endpoint,
    Registration,
    Zone,
    Alias,
    Address,
    Ports,
}

/// One job's check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Check {
    pub drifted: Vec<Drift>,
    /// Refused reads: reported (someone must grant them), never as drift.
    pub denied: Vec<(Fact, String)>,
    /// Reads that failed: retried at the next sweep, reported as nothing.
    pub failed: Vec<(Fact, String)>,
}

impl Check {
    fn read<T>(&mut self, fact: Fact, read: &Read<T>) -> Option<T>
    where
        T: Clone,
    {
        match read {
            Read::Seen(v) => Some(v.clone()),
            Read::Denied(why) => {
                self.denied.push((fact, why.clone()));
                None
            }
            Read::Failed(why) => {
                self.failed.push((fact, why.clone()));
                None
            }
        }
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// The job's link as it should be (its recorded resources) against what
/// was read. Whitelisting has no read API: it is never judged.
pub fn judge(made: &Resources, observed: &Observed) -> Check {
    let mut check = Check::default();
    let expected = made.endpoint.as_ref();
    if let Some(endpoint) = check.read(Fact::Endpoint, &observed.endpoint) {
        match endpoint {
            // EC2 lists a deleted endpoint for a while: it is gone all the same.
            None => check.drifted.push(Drift::EndpointGone),
            Some(e) if e.state == EndpointState::Deleted => check.drifted.push(Drift::EndpointGone),
            Some(e) if e.state != EndpointState::Available => check
                .drifted
                .push(Drift::EndpointNotAvailable(e.state.as_str().to_owned())),
            Some(e) => {
                let renamed = match (expected, &e.regional) {
                    (Some(x), Some((name, zone))) => {
                        x.dns_name.as_deref().is_some_and(|n| !same_name(n, name))
                            || x.hosted_zone_id.as_ref().is_some_and(|z| z != zone)
                    }
                    (Some(x), None) => x.dns_name.is_some(),
                    (None, _) => false,
                };
                if renamed {
                    check.drifted.push(Drift::EndpointRenamed);
                }
            }
        }
    }
    if let Some(registration) = check.read(Fact::Registration, &observed.registration) {
        match registration {
            None => check.drifted.push(Drift::RegistrationGone),
            Some(RegistrationStatus::Failed(word)) => {
                check.drifted.push(Drift::RegistrationFailed(word))
            }
            Some(_) => {}
        }
    }
    let target = expected.and_then(|e| e.dns_name.as_deref());
    for seen in &observed.dns {
        let host = seen.host.clone();
        if check.read(Fact::Zone, &seen.zone_associated) == Some(false) {
            check
                .drifted
                .push(Drift::ZoneDetached { host: host.clone() });
        }
        match check.read(Fact::Alias, &seen.alias) {
            Some(None) => check.drifted.push(Drift::AliasGone { host }),
            Some(Some(alias)) if target.is_some_and(|t| !same_name(t, &alias.dns_name)) => {
                check.drifted.push(Drift::AliasRepointed {
                    host,
                    to: alias.dns_name,
                })
            }
            _ => {}
        }
    }
    for (cluster, read) in &observed.addresses {
        let Some(now) = check.read(Fact::Address, read) else {
            continue;
        };
        let was = made
            .clusters
            .iter()
            .find(|c| c.cluster == *cluster)
            .map(|c| c.private_link_address.as_str());
        if was.is_some_and(|was| now.as_deref() != Some(was)) {
            check.drifted.push(Drift::AddressChanged {
                cluster: cluster.to_string(),
            });
        }
    }
    if let Some(closed) = check.read(Fact::Ports, &observed.ports_closed)
        && !closed.is_empty()
    {
        let ports: Vec<String> = closed.iter().map(ToString::to_string).collect();
        check.drifted.push(Drift::PortsClosed {
            ports: ports.join(", "),
        });
    }
    check.drifted.sort();
    check.drifted.dedup();
    check
}

/// What counts as drifted: what this check saw that the one before saw
/// too (the same fact wrong, in whatever words: `deleting` then
/// `deleted` is one drift). A fact seen wrong once may be a read behind a
/// change.
pub fn confirmed(before: &[Drift], now: &[Drift]) -> Vec<Drift> {
    now.iter()
        .filter(|d| before.iter().any(|b| b.same_fact(d)))
        .cloned()
        .collect()
}

/// Whether two lists name the same wrong facts.
fn same_facts(a: &[Drift], b: &[Drift]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.same_fact(y)))
}

/// What to tell, given what was told last (`reported`) and what is
/// confirmed now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum News {
    /// Nothing new: say nothing.
    #[default]
    Quiet,
    /// The link drifted, or drifted differently: say so once.
    Drifted(Vec<Drift>),
    /// What was reported holds again.
    Restored,
}

pub fn news(reported: &[Drift], confirmed: &[Drift]) -> News {
    match (reported.is_empty(), confirmed.is_empty()) {
        (_, false) if !same_facts(reported, confirmed) => News::Drifted(confirmed.to_vec()),
        (false, true) => News::Restored,
        _ => News::Quiet,
    }
}

/// What the watch knows of a job's link, kept on the job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    /// When the last check that read every fact ran.
    pub checked_at: Option<crate::domain::job::Millis>,
    /// When the last check ran, conclusive or not: the watch's schedule
    /// counts from it, so a check that failed waits its turn too.
    pub tried_at: Option<crate::domain::job::Millis>,
    /// What that check saw drifted (confirmed by the next one, or not).
    pub seen: Vec<Drift>,
    /// What was last told in chat; empty once restored.
    pub reported: Vec<Drift>,
    /// What the last check said (the change's chat effect reads it).
    pub news: News,
    /// Reads refused at the last check, and why: told on `status`.
    pub denied: Vec<(Fact, String)>,
    /// The job whose thread tells the drift of the endpoint this job
    /// shares (the one that made it): this job's card points there, and
    /// its thread says nothing of the endpoint.
    pub endpoint_told_by: Option<crate::domain::ids::JobId>,
    /// Drifts someone accepted as they are ("Accept as is"): not told
    /// again while they stay exactly so; forgotten once they no longer
    /// hold, so that the next drift of that fact is told.
    pub accepted: Vec<Drift>,
    /// The endpoint the last repair replaced with a new one: the other
    /// jobs still recording it are repaired onto the new one.
    pub replaced: Option<crate::domain::ids::EndpointId>,
}

impl Health {
    /// Takes in a check made at `at`. A check with a failed read is
    /// inconclusive: the facts it could not read may have drifted or not,
    /// so what was seen and told stays as it was, to be checked again.
    pub fn take(&mut self, at: crate::domain::job::Millis, check: Check) {
        self.tried_at = Some(at);
        self.denied = check.denied;
        if !check.failed.is_empty() || !self.denied.is_empty() {
            self.news = News::Quiet;
            return;
        }
        // What was accepted stays accepted while it holds exactly so;
        // a fact that no longer drifts (or drifts otherwise) is told next
        // time it does.
        self.accepted.retain(|a| check.drifted.contains(a));
        let drifted: Vec<Drift> = check
            .drifted
            .into_iter()
            .filter(|d| !self.accepted.contains(d))
            .collect();
        let confirmed = confirmed(&self.seen, &drifted);
        self.news = news(&self.reported, &confirmed);
        match &self.news {
            News::Drifted(now) => self.reported = now.clone(),
            News::Restored => self.reported.clear(),
            News::Quiet => {}
        }
        self.seen = drifted;
        self.checked_at = Some(at);
    }

    /// Someone accepted what was told as it is: it is not told again
    /// while it stays so.
    pub fn accept(&mut self) {
        let told = std::mem::take(&mut self.reported);
        self.accepted.extend(told);
        self.seen.retain(|d| !self.accepted.contains(d));
        self.news = News::Quiet;
    }

    /// A repair ended verified: the link is as the steps left it, and
    /// nothing is known drifted until two checks see it again.
    pub fn repaired(&mut self) {
        self.seen.clear();
        self.reported.clear();
        self.news = News::Quiet;
        self.endpoint_told_by = None;
    }

    /// When the link is next due a check: `every` after the last one
    /// (or after `since`, the job's end, for the first), plus a tenth of
    /// `every` at most, spread by the job's id so that links made
    /// together are not checked in step ever after.
    pub fn due_at(
        &self,
        since: crate::domain::job::Millis,
        every: crate::domain::job::Millis,
        spread: u64,
    ) -> crate::domain::job::Millis {
        let jitter = match every / 10 {
            0 => 0,
            tenth => spread.wrapping_mul(0x9E37_79B9_7F4A_7C15) % tenth,
        };
        self.tried_at
            .unwrap_or(since)
            .saturating_add(every)
            .saturating_add(jitter)
    }

    /// Whether the link is known to be out of shape (told, not restored).
    pub fn is_drifted(&self) -> bool {
        !self.reported.is_empty()
    }
}

impl Fact {
    /// What was to be read, to be told in the reader's language.
    pub fn text(self) -> Text {
        match self {
            Fact::Endpoint => text!("fact-endpoint"),
            Fact::Registration => text!("fact-registration"),
            Fact::Zone => text!("fact-zone"),
            Fact::Alias => text!("fact-alias"),
            Fact::Address => text!("fact-address"),
            Fact::Ports => text!("fact-ports"),
        }
    }
}

impl Drift {
    /// Whether both are the same fact gone wrong, whatever the provider's
    /// words for how (a state, a status, where an alias points now).
    pub fn same_fact(&self, other: &Drift) -> bool {
        use Drift as D;
        match (self, other) {
            (D::EndpointNotAvailable(_), D::EndpointNotAvailable(_))
            | (D::RegistrationFailed(_), D::RegistrationFailed(_)) => true,
            (D::AliasRepointed { host: a, .. }, D::AliasRepointed { host: b, .. }) => a == b,
            (a, b) => a == b,
        }
    }

    /// Whether it is the endpoint's own (shared by every job using it)
    /// rather than one job's DNS or cluster.
    pub fn is_the_endpoints(&self) -> bool {
        matches!(
            self,
            Drift::EndpointGone
                | Drift::EndpointNotAvailable(_)
                | Drift::EndpointRenamed
                | Drift::RegistrationGone
                | Drift::RegistrationFailed(_)
        )
    }

    /// The drift, to be told in the reader's language.
    pub fn text(&self) -> Text {
        match self {
            Drift::EndpointGone => text!("drift-endpoint-gone"),
            Drift::EndpointNotAvailable(state) => {
                text!("drift-endpoint-not-available", state = state.as_str())
            }
            Drift::EndpointRenamed => text!("drift-endpoint-renamed"),
            Drift::RegistrationGone => text!("drift-registration-gone"),
            Drift::RegistrationFailed(word) => {
                text!("drift-registration-failed", status = word.as_str())
            }
            Drift::ZoneDetached { host } => text!("drift-zone-detached", host = host.as_str()),
            Drift::AliasGone { host } => text!("drift-alias-gone", host = host.as_str()),
            Drift::AliasRepointed { host, to } => {
                text!(
                    "drift-alias-repointed",
                    host = host.as_str(),
                    to = to.as_str()
                )
            }
            Drift::AddressChanged { cluster } => {
                text!("drift-address-changed", cluster = cluster.as_str())
            }
            Drift::PortsClosed { ports } => text!("drift-ports-closed", ports = ports.as_str()),
        }
    }
}

pub mod repair;

#[cfg(test)]
mod tests;
