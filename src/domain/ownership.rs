//! Who owns what across jobs: every cloud resource a job created or
//! adopted, keyed the same way for every job, and the rule that decides
//! whether a teardown may remove it.
//!
//! A job is a *user* of a resource from the moment it records it until its
//! teardown finishes. The store keeps, per resource, its users and the job
//! that made it (if the bot made it), updated in the same transaction as the
//! job's own record. Teardown then removes a resource only when no other job
//! uses it and the bot made it; a resource somebody made by hand is never
//! removed, and one still in use is kept and named.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{EndpointId, JobId, ProjectId, ZoneId};
use super::job::{Job, Origin};

/// A cloud resource a job can hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Endpoint(EndpointId),
    Registration {
        project: ProjectId,
        endpoint: EndpointId,
    },
    Zone(ZoneId),
    Record {
        zone: ZoneId,
        host: String,
    },
}

impl Resource {
    /// The key the store files its owners under.
    pub fn key(&self) -> String {
        match self {
            Resource::Endpoint(e) => format!("endpoint/{e}"),
            Resource::Registration { project, endpoint } => {
                format!("registration/{project}/{endpoint}")
            }
            Resource::Zone(z) => format!("zone/{z}"),
            Resource::Record { zone, host } => {
                format!(
                    "record/{zone}/{}",
                    host.trim_end_matches('.').to_ascii_lowercase()
                )
            }
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Endpoint(e) => write!(f, "VPC endpoint {e}"),
            Resource::Registration { project, endpoint } => {
                write!(f, "Zilliz registration of {endpoint} in {project}")
            }
            Resource::Zone(z) => write!(f, "hosted zone {z}"),
            Resource::Record { zone, host } => write!(f, "alias record {host} in {zone}"),
        }
    }
}

/// A resource as one job holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub resource: Resource,
    pub origin: Origin,
}

impl Job {
    /// Every resource the job's record says it holds.
    pub fn holdings(&self) -> Vec<Holding> {
        let res = self.resources();
        let mut out = Vec::new();
        if let Some(e) = &res.endpoint {
            out.push(Holding {
                resource: Resource::Endpoint(e.id.clone()),
                origin: e.origin,
            });
            if let Some(origin) = res.registration {
                out.push(Holding {
                    resource: Resource::Registration {
                        project: self.request().project.clone(),
                        endpoint: e.id.clone(),
                    },
                    origin,
                });
            }
        }
        for c in &res.clusters {
            let (Some(zone), Some(origin)) = (&c.zone_id, c.zone_origin) else {
                continue;
            };
            out.push(Holding {
                resource: Resource::Zone(zone.clone()),
                origin,
            });
            if c.record {
                // The job wrote the record (an UPSERT), even in a zone it
                // adopted.
                out.push(Holding {
                    resource: Resource::Record {
                        zone: zone.clone(),
                        host: c.host.clone(),
                    },
                    origin: Origin::Created,
                });
            }
        }
        out
    }
}

/// Who made a resource and who uses it, as the store keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owners {
    /// The job that created it, when the bot did.
    pub made_by: Option<JobId>,
    /// The jobs that hold it now.
    pub users: BTreeSet<JobId>,
    /// Those of them handed over to Terraform: what they hold is
    /// Terraform's to remove, whoever else lets go of it.
    #[serde(default)]
    pub terraform: BTreeSet<JobId>,
}

/// What a teardown of one job may do with one of its resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nobody else uses it and the bot made it: remove it.
    Remove,
    /// Other jobs still use it: keep it, naming them.
    StillUsedBy(Vec<JobId>),
    /// A job handed over to Terraform holds it: Terraform's to remove.
    ManagedByTerraform(Vec<JobId>),
    /// The bot did not make it (it was there already): keep it.
    NotMadeByTheBot,
}

impl Owners {
    /// Records that `job` holds the resource as `origin`.
    pub fn add(&mut self, job: JobId, origin: Origin) {
        self.users.insert(job);
        if origin == Origin::Created && self.made_by.is_none() {
            self.made_by = Some(job);
        }
    }

    /// The rule for tearing `job` down: remove only what the bot made and
    /// no other job still uses. `recorded` is how the job itself holds the
    /// resource; it decides alone when the store knows nothing of the
    /// resource (found by the job's own markers after a crash, or recorded
    /// before owners were kept).
    pub fn verdict_for(&self, job: JobId, recorded: Option<Origin>) -> Verdict {
        if self.users.is_empty() && self.made_by.is_none() {
            return match recorded {
                Some(Origin::Created) => Verdict::Remove,
                _ => Verdict::NotMadeByTheBot,
            };
        }
        let others: Vec<JobId> = self.users.iter().copied().filter(|u| *u != job).collect();
        let terraform: Vec<JobId> = others
            .iter()
            .copied()
            .filter(|u| self.terraform.contains(u))
            .collect();
        if !terraform.is_empty() {
            Verdict::ManagedByTerraform(terraform)
        } else if !others.is_empty() {
            Verdict::StillUsedBy(others)
        } else if self.made_by.is_some() {
            Verdict::Remove
        } else {
            Verdict::NotMadeByTheBot
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Remove => f.write_str("removed"),
            Verdict::StillUsedBy(jobs) => {
                let names: Vec<String> = jobs.iter().map(ToString::to_string).collect();
                write!(f, "still used by {}", names.join(", "))
            }
            Verdict::NotMadeByTheBot => f.write_str("not created by the bot"),
            Verdict::ManagedByTerraform(jobs) => {
                let names: Vec<String> = jobs.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "managed by Terraform (handed over with {})",
                    names.join(", ")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: JobId = JobId::new(1000);
    const B: JobId = JobId::new(1001);

    #[test]
    fn a_resource_goes_with_its_last_user_and_only_if_the_bot_made_it() {
        let mut owners = Owners::default();
        owners.add(A, Origin::Created);
        owners.add(B, Origin::Adopted);
        assert_eq!(owners.made_by, Some(A));
        let created = Some(Origin::Created);
        assert_eq!(
            owners.verdict_for(A, created),
            Verdict::StillUsedBy(vec![B])
        );
        assert_eq!(
            owners.verdict_for(B, Some(Origin::Adopted)),
            Verdict::StillUsedBy(vec![A])
        );
        owners.users.remove(&A);
        assert_eq!(
            owners.verdict_for(B, Some(Origin::Adopted)),
            Verdict::Remove,
            "B is the last user"
        );

        let mut found = Owners::default();
        found.add(B, Origin::Adopted);
        assert_eq!(
            found.verdict_for(B, Some(Origin::Adopted)),
            Verdict::NotMadeByTheBot
        );
        assert_eq!(found.made_by, None);
    }

    #[test]
    fn what_the_store_does_not_know_is_judged_by_the_job_record() {
        let unknown = Owners::default();
        assert_eq!(
            unknown.verdict_for(A, Some(Origin::Created)),
            Verdict::Remove
        );
        assert_eq!(
            unknown.verdict_for(A, Some(Origin::Adopted)),
            Verdict::NotMadeByTheBot
        );
        assert_eq!(unknown.verdict_for(A, None), Verdict::NotMadeByTheBot);
    }

    #[test]
    fn record_keys_ignore_case_and_the_trailing_dot() {
        let a = Resource::Record {
            zone: crate::domain::ids::ZoneId::parse("Z1").expect("an id"),
            host: "In01-X.example.com.".into(),
        };
        let b = Resource::Record {
            zone: crate::domain::ids::ZoneId::parse("Z1").expect("an id"),
            host: "in01-x.example.com".into(),
        };
        assert_eq!(a.key(), b.key());
    }
}
