//! What a job made, adopted or learnt, as stored: the mirror of the
//! domain's [`Resources`].

use serde::{Deserialize, Serialize};

use crate::domain::ids::{ClusterId, EndpointId, ZoneId};
use crate::domain::job::{ClusterDns, EndpointRecord, Origin, Resources};

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OriginRecord {
    Created,
    Adopted,
}

impl From<Origin> for OriginRecord {
    fn from(o: Origin) -> Self {
        match o {
            Origin::Created => OriginRecord::Created,
            Origin::Adopted => OriginRecord::Adopted,
        }
    }
}

impl From<OriginRecord> for Origin {
    fn from(o: OriginRecord) -> Self {
        match o {
            OriginRecord::Created => Origin::Created,
            OriginRecord::Adopted => Origin::Adopted,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct EndpointRecordRecord {
    id: EndpointId,
    origin: OriginRecord,
    dns_name: Option<String>,
    hosted_zone_id: Option<ZoneId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ClusterDnsRecord {
    cluster: ClusterId,
    private_link_address: String,
    host: String,
    zone_id: Option<ZoneId>,
    zone_origin: Option<OriginRecord>,
    record: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ResourcesRecord {
    endpoint_service: Option<String>,
    /// Absent before whitelisting was known: such a job never needed it.
    #[serde(default)]
    whitelist_required: bool,
    endpoint: Option<EndpointRecordRecord>,
    registration: Option<OriginRecord>,
    clusters: Vec<ClusterDnsRecord>,
}

impl From<Resources> for ResourcesRecord {
    fn from(r: Resources) -> Self {
        Self {
            endpoint_service: r.endpoint_service,
            whitelist_required: r.whitelist_required,
            endpoint: r.endpoint.map(|e| EndpointRecordRecord {
                id: e.id,
                origin: e.origin.into(),
                dns_name: e.dns_name,
                hosted_zone_id: e.hosted_zone_id,
            }),
            registration: r.registration.map(Into::into),
            clusters: r
                .clusters
                .into_iter()
                .map(|c| ClusterDnsRecord {
                    cluster: c.cluster,
                    private_link_address: c.private_link_address,
                    host: c.host,
                    zone_id: c.zone_id,
                    zone_origin: c.zone_origin.map(Into::into),
                    record: c.record,
                })
                .collect(),
        }
    }
}

impl From<ResourcesRecord> for Resources {
    fn from(r: ResourcesRecord) -> Self {
        Self {
            endpoint_service: r.endpoint_service,
            whitelist_required: r.whitelist_required,
            endpoint: r.endpoint.map(|e| EndpointRecord {
                id: e.id,
                origin: e.origin.into(),
                dns_name: e.dns_name,
                hosted_zone_id: e.hosted_zone_id,
            }),
            registration: r.registration.map(Into::into),
            clusters: r
                .clusters
                .into_iter()
                .map(|c| ClusterDns {
                    cluster: c.cluster,
                    private_link_address: c.private_link_address,
                    host: c.host,
                    zone_id: c.zone_id,
                    zone_origin: c.zone_origin.map(Into::into),
                    record: c.record,
                })
                .collect(),
        }
    }
}
