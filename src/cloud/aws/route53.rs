//! Route 53 as the `Dns` port: private hosted zones associated with a VPC,
//! and alias A records in them.

use async_trait::async_trait;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_route53::types::{
    AliasTarget as R53AliasTarget, Change, ChangeAction, ChangeBatch, ChangeStatus,
    HostedZoneConfig, HostedZoneSummary, ResourceRecordSet, RrType, Vpc as R53Vpc, VpcRegion,
};

use super::{describe, missing, unbuildable};
use crate::domain::ids::{AwsRegion, VpcId, ZoneId};
use crate::ports::cloud::{AliasTarget, CloudResult, Dns, ErrorKind, Provider, ZoneInfo};

pub(super) struct Route53Dns {
    pub(super) r53: aws_sdk_route53::Client,
    /// To tell this account's zones from other owners'.
    pub(super) account: std::sync::Arc<super::sts::Account>,
}

/// A zone id as Route 53 answered it (bare or `/hostedzone/…`); one that
/// is not a zone id is an answer the bot cannot act on, said as such.
fn zone_id(answered: &str) -> CloudResult<ZoneId> {
    ZoneId::parse(answered).map_err(|_| {
        missing(
            Provider::Route53,
            &format!("Route 53 answered {answered:?} as a hosted zone id"),
        )
    })
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

#[async_trait]
impl Dns for Route53Dns {
    /// One paginated ListHostedZonesByVPC, filtered by name; then the
    /// CallerReference (which the summary lacks) of the match, of which
    /// AWS allows only one per VPC. Never a call per same-named zone in
    /// other VPCs, nor on a zone of another owner (another account or an
    /// AWS service), whose details this account may not read.
    async fn private_zones(
        &self,
        name: &str,
        vpc: &VpcId,
        region: &AwsRegion,
    ) -> CloudResult<Vec<ZoneInfo>> {
        let account = self.account.id().await?;
        let mut matches = Vec::new();
        for z in self.zone_summaries(vpc, region).await? {
            if !same_name(z.name(), name) {
                continue;
            }
            let owner = z.owner();
            let foreign = match (
                owner.and_then(|o| o.owning_service()),
                owner.and_then(|o| o.owning_account()),
            ) {
                (Some(service), _) => Some(format!("AWS service {service}")),
                (None, Some(a)) if a != account.as_str() => Some(format!("AWS account {a}")),
                _ => None,
            };
            matches.push((zone_id(z.hosted_zone_id())?, z.name().to_owned(), foreign));
        }
        let mut out = Vec::with_capacity(matches.len());
        for (id, zone_name, foreign_owner) in matches {
            if foreign_owner.is_some() {
                out.push(ZoneInfo {
                    id,
                    name: zone_name,
                    caller_reference: String::new(),
                    foreign_owner,
                });
                continue;
            }
            let detail = self
                .r53
                .get_hosted_zone()
                .id(id.as_str())
                .send()
                .await
                .map_err(describe(Provider::Route53))?;
            let caller_reference = detail
                .hosted_zone()
                .map(|z| z.caller_reference().to_owned())
                .unwrap_or_default();
            out.push(ZoneInfo {
                id,
                name: zone_name,
                caller_reference,
                foreign_owner: None,
            });
        }
        Ok(out)
    }

    async fn create_private_zone(
        &self,
        name: &str,
        vpc: &VpcId,
        region: &AwsRegion,
        caller_reference: &str,
        comment: &str,
    ) -> CloudResult<ZoneInfo> {
        let out = self
            .r53
            .create_hosted_zone()
            .name(name)
            .caller_reference(caller_reference)
            .vpc(
                R53Vpc::builder()
                    .vpc_id(vpc.as_str())
                    .vpc_region(VpcRegion::from(region.as_str()))
                    .build(),
            )
            .hosted_zone_config(
                HostedZoneConfig::builder()
                    .comment(comment)
                    .private_zone(true)
                    .build(),
            )
            .send()
            .await
            .map_err(describe(Provider::Route53))?;
        let zone = out
            .hosted_zone()
            .ok_or_else(|| missing(Provider::Route53, "CreateHostedZone returned no zone"))?;
        Ok(ZoneInfo {
            id: zone_id(zone.id())?,
            name: zone.name().to_owned(),
            caller_reference: zone.caller_reference().to_owned(),
            foreign_owner: None,
        })
    }

    async fn associate_zone(
        &self,
        zone: &ZoneId,
        vpc: &VpcId,
        region: &AwsRegion,
    ) -> CloudResult<()> {
        self.r53
            .associate_vpc_with_hosted_zone()
            .hosted_zone_id(zone.as_str())
            .vpc(
                R53Vpc::builder()
                    .vpc_id(vpc.as_str())
                    .vpc_region(VpcRegion::from(region.as_str()))
                    .build(),
            )
            .comment("privatelink-bot repair")
            .send()
            .await
            .map_err(describe(Provider::Route53))?;
        Ok(())
    }

    async fn zones_in_vpc(&self, vpc: &VpcId, region: &AwsRegion) -> CloudResult<Vec<ZoneId>> {
        let summaries = self.zone_summaries(vpc, region).await?;
        summaries
            .iter()
            .map(|z| zone_id(z.hosted_zone_id()))
            .collect()
    }

    async fn alias_record(&self, zone: &ZoneId, name: &str) -> CloudResult<Option<AliasTarget>> {
        let out = self
            .r53
            .list_resource_record_sets()
            .hosted_zone_id(zone.as_str())
            .start_record_name(name)
            .start_record_type(RrType::A)
            .max_items(1)
            .send()
            .await
            .map_err(describe(Provider::Route53))?;
        let found = out
            .resource_record_sets()
            .iter()
            .find(|r| same_name(r.name(), name) && r.r#type() == &RrType::A)
            .and_then(|r| r.alias_target());
        match found {
            None => Ok(None),
            Some(a) => Ok(Some(AliasTarget {
                dns_name: a.dns_name().to_owned(),
                hosted_zone_id: zone_id(a.hosted_zone_id())?,
                evaluate_target_health: a.evaluate_target_health(),
            })),
        }
    }

    async fn upsert_alias(
        &self,
        zone: &ZoneId,
        name: &str,
        target: &AliasTarget,
    ) -> CloudResult<String> {
        self.change(zone, name, target, ChangeAction::Upsert).await
    }

    async fn change_in_sync(&self, change: &str) -> CloudResult<bool> {
        let out = self
            .r53
            .get_change()
            .id(change)
            .send()
            .await
            .map_err(describe(Provider::Route53))?;
        Ok(out
            .change_info()
            .is_some_and(|c| c.status() == &ChangeStatus::Insync))
    }

    async fn delete_alias(
        &self,
        zone: &ZoneId,
        name: &str,
        target: &AliasTarget,
    ) -> CloudResult<()> {
        match self.change(zone, name, target, ChangeAction::Delete).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            // Route 53 answers InvalidChangeBatch both for a record that is
            // not there and for one that does not match: only the first is
            // done. Look rather than read the message.
            Err(e) if e.has_code("InvalidChangeBatch") => {
                match self.alias_record(zone, name).await? {
                    None => Ok(()),
                    Some(_) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn delete_zone(&self, zone: &ZoneId) -> CloudResult<()> {
        match self.r53.delete_hosted_zone().id(zone.as_str()).send().await {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("NoSuchHostedZone") => Ok(()),
            Err(e) => Err(describe(Provider::Route53)(e)),
        }
    }
}

impl Route53Dns {
    /// Every page of ListHostedZonesByVPC for the VPC.
    async fn zone_summaries(
        &self,
        vpc: &VpcId,
        region: &AwsRegion,
    ) -> CloudResult<Vec<HostedZoneSummary>> {
        let mut all = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .r53
                .list_hosted_zones_by_vpc()
                .vpc_id(vpc.as_str())
                .vpc_region(VpcRegion::from(region.as_str()))
                .set_next_token(next.clone())
                .send()
                .await
                .map_err(describe(Provider::Route53))?;
            all.extend(page.hosted_zone_summaries().iter().cloned());
            next = page
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            if next.is_none() {
                return Ok(all);
            }
        }
    }

    async fn change(
        &self,
        zone: &ZoneId,
        name: &str,
        target: &AliasTarget,
        action: ChangeAction,
    ) -> CloudResult<String> {
        let record = ResourceRecordSet::builder()
            .name(name)
            .r#type(RrType::A)
            .alias_target(
                R53AliasTarget::builder()
                    .dns_name(&target.dns_name)
                    .hosted_zone_id(target.hosted_zone_id.as_str())
                    .evaluate_target_health(target.evaluate_target_health)
                    .build()
                    .map_err(unbuildable)?,
            )
            .build()
            .map_err(unbuildable)?;
        let batch = ChangeBatch::builder()
            .comment("privatelink-bot")
            .changes(
                Change::builder()
                    .action(action)
                    .resource_record_set(record)
                    .build()
                    .map_err(unbuildable)?,
            )
            .build()
            .map_err(unbuildable)?;
        let out = self
            .r53
            .change_resource_record_sets()
            .hosted_zone_id(zone.as_str())
            .change_batch(batch)
            .send()
            .await
            .map_err(describe(Provider::Route53))?;
        // Without its id the change cannot be waited on: an error, never
        // success announced before DNS is in sync.
        out.change_info()
            .map(|c| c.id().trim_start_matches("/change/").to_owned())
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                missing(
                    Provider::Route53,
                    "ChangeResourceRecordSets returned no change id",
                )
            })
    }
}
