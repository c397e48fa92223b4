//! The shapes of Zilliz Cloud's answers, read leniently: a field that is
//! missing or null reads as empty, so a sparse answer is judged by the
//! code that uses it, never refused by the parser.

use serde::Deserialize;

fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or_default())
}

fn lenient_list<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServicesPage {
    #[serde(default, deserialize_with = "lenient_list")]
    pub(super) endpoint_services: Vec<ServiceItem>,
    #[serde(default)]
    pub(super) count: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServiceItem {
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) region_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) endpoint_service: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub(super) whitelist_required: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EndpointsPage {
    #[serde(default, deserialize_with = "lenient_list")]
    pub(super) endpoints: Vec<EndpointItem>,
    #[serde(default)]
    pub(super) count: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EndpointItem {
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) endpoint_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) region_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) endpoint_status: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ClusterItem {
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) cluster_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) cluster_name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) project_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) region_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) plan: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) status: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) private_link_address: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) connect_address: String,
}
