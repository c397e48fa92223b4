//! What the drift watch knows of a link, as stored (schema 2): the mirror
//! of the domain's [`Health`]. Absent in older records: never checked.

use serde::{Deserialize, Serialize};

use crate::domain::drift::{Drift, Fact, Health, News};
use crate::domain::ids::{EndpointId, JobId};
use crate::domain::job::Millis;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "drift", rename_all = "snake_case")]
enum DriftRecord {
    EndpointGone,
    EndpointNotAvailable { state: String },
    EndpointRenamed,
    RegistrationGone,
    RegistrationFailed { status: String },
    ZoneDetached { host: String },
    AliasGone { host: String },
    AliasRepointed { host: String, to: String },
    AddressChanged { cluster: String },
    PortsClosed { ports: String },
}

impl From<Drift> for DriftRecord {
    fn from(d: Drift) -> Self {
        match d {
            Drift::EndpointGone => Self::EndpointGone,
            Drift::EndpointNotAvailable(state) => Self::EndpointNotAvailable { state },
            Drift::EndpointRenamed => Self::EndpointRenamed,
            Drift::RegistrationGone => Self::RegistrationGone,
            Drift::RegistrationFailed(status) => Self::RegistrationFailed { status },
            Drift::ZoneDetached { host } => Self::ZoneDetached { host },
            Drift::AliasGone { host } => Self::AliasGone { host },
            Drift::AliasRepointed { host, to } => Self::AliasRepointed { host, to },
            Drift::AddressChanged { cluster } => Self::AddressChanged { cluster },
            Drift::PortsClosed { ports } => Self::PortsClosed { ports },
        }
    }
}

impl From<DriftRecord> for Drift {
    fn from(d: DriftRecord) -> Self {
        match d {
            DriftRecord::EndpointGone => Self::EndpointGone,
            DriftRecord::EndpointNotAvailable { state } => Self::EndpointNotAvailable(state),
            DriftRecord::EndpointRenamed => Self::EndpointRenamed,
            DriftRecord::RegistrationGone => Self::RegistrationGone,
            DriftRecord::RegistrationFailed { status } => Self::RegistrationFailed(status),
            DriftRecord::ZoneDetached { host } => Self::ZoneDetached { host },
            DriftRecord::AliasGone { host } => Self::AliasGone { host },
            DriftRecord::AliasRepointed { host, to } => Self::AliasRepointed { host, to },
            DriftRecord::AddressChanged { cluster } => Self::AddressChanged { cluster },
            DriftRecord::PortsClosed { ports } => Self::PortsClosed { ports },
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FactRecord {
    Endpoint,
    Registration,
    Zone,
    Alias,
    Address,
    Ports,
}

impl From<Fact> for FactRecord {
    fn from(f: Fact) -> Self {
        match f {
            Fact::Endpoint => Self::Endpoint,
            Fact::Registration => Self::Registration,
            Fact::Zone => Self::Zone,
            Fact::Alias => Self::Alias,
            Fact::Address => Self::Address,
            Fact::Ports => Self::Ports,
        }
    }
}

impl From<FactRecord> for Fact {
    fn from(f: FactRecord) -> Self {
        match f {
            FactRecord::Endpoint => Self::Endpoint,
            FactRecord::Registration => Self::Registration,
            FactRecord::Zone => Self::Zone,
            FactRecord::Alias => Self::Alias,
            FactRecord::Address => Self::Address,
            FactRecord::Ports => Self::Ports,
        }
    }
}

/// What the last check said, kept so that its chat effect is written in
/// the same transaction.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(tag = "news", rename_all = "snake_case")]
enum NewsRecord {
    #[default]
    Quiet,
    Drifted {
        drifts: Vec<DriftRecord>,
    },
    Restored,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct HealthRecord {
    #[serde(default)]
    checked_at: Option<Millis>,
    #[serde(default)]
    tried_at: Option<Millis>,
    #[serde(default)]
    seen: Vec<DriftRecord>,
    #[serde(default)]
    reported: Vec<DriftRecord>,
    #[serde(default)]
    news: NewsRecord,
    #[serde(default)]
    denied: Vec<(FactRecord, String)>,
    #[serde(default)]
    endpoint_told_by: Option<JobId>,
    #[serde(default)]
    accepted: Vec<DriftRecord>,
    #[serde(default)]
    replaced: Option<EndpointId>,
}

fn all<A: Into<B>, B>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(Into::into).collect()
}

impl From<Health> for HealthRecord {
    fn from(h: Health) -> Self {
        Self {
            checked_at: h.checked_at,
            tried_at: h.tried_at,
            seen: all(h.seen),
            reported: all(h.reported),
            news: match h.news {
                News::Quiet => NewsRecord::Quiet,
                News::Drifted(d) => NewsRecord::Drifted { drifts: all(d) },
                News::Restored => NewsRecord::Restored,
            },
            denied: h.denied.into_iter().map(|(f, w)| (f.into(), w)).collect(),
            endpoint_told_by: h.endpoint_told_by,
            accepted: all(h.accepted),
            replaced: h.replaced,
        }
    }
}

impl From<HealthRecord> for Health {
    fn from(h: HealthRecord) -> Self {
        Self {
            checked_at: h.checked_at,
            tried_at: h.tried_at,
            seen: all(h.seen),
            reported: all(h.reported),
            news: match h.news {
                NewsRecord::Quiet => News::Quiet,
                NewsRecord::Drifted { drifts } => News::Drifted(all(drifts)),
                NewsRecord::Restored => News::Restored,
            },
            denied: h.denied.into_iter().map(|(f, w)| (f.into(), w)).collect(),
            endpoint_told_by: h.endpoint_told_by,
            accepted: all(h.accepted),
            replaced: h.replaced,
        }
    }
}
