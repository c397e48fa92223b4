//! The AWS rows of `check-config --online`: whose credentials these are,
//! every listed role assumable, each EC2 describe call a preflight makes,
//! `CreateVpcEndpoint` by `DryRun`, and Route 53's zone listing. Nothing
//! here changes anything in the account.

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{Filter, VpcEndpointType};
use aws_sdk_route53::types::VpcRegion;

use super::{AwsAccess, describe};
use crate::domain::ids::{AwsRegion, RoleArn, VpcId};
use crate::ports::cloud::{CloudError, ErrorKind, Provider};
use crate::ports::probe::Row;

const POLICY: &str = "config/iam-policy.json";

/// The fix for a refused call: the IAM action, or the error itself.
fn fix_for(e: &CloudError, action: &str) -> String {
    match e.kind {
        ErrorKind::Denied => format!("allow {action} to the bot's identity ({POLICY})"),
        ErrorKind::Unavailable | ErrorKind::Throttled => {
            "AWS did not answer cleanly; run the check again".to_owned()
        }
        _ => format!("see AWS's answer to {action}"),
    }
}

fn refused(check: &str, action: &str, e: &CloudError) -> Row {
    Row::fail(check, format!("{e:#}"), fix_for(e, action))
}

impl AwsAccess {
    /// The AWS rows for `region`. `service_name` (Zilliz's endpoint service,
    /// when the Zilliz probe found it) makes the DryRun exactly a job's.
    pub async fn probe(
        &self,
        region: &AwsRegion,
        roles: &[RoleArn],
        vpc: Option<&VpcId>,
        service_name: Option<&str>,
    ) -> Vec<Row> {
        let mut rows = Vec::new();
        let base = self.sdk_config(region.as_str(), None).await;
        let sts = aws_sdk_sts::Client::new(&base);
        let caller = match sts.get_caller_identity().send().await {
            Ok(out) => {
                let arn = out.arn().unwrap_or_default().to_owned();
                rows.push(Row::pass(
                    "AWS identity (sts:GetCallerIdentity)",
                    format!("account {} as {arn}", out.account().unwrap_or("unknown")),
                ));
                arn
            }
            Err(e) => {
                let e = describe(Provider::Sts)(e);
                rows.push(Row::fail(
                    "AWS identity (sts:GetCallerIdentity)",
                    format!("{e:#}"),
                    "give the bot AWS credentials the default chain finds (environment, profile, or the instance's or pod's role)",
                ));
                rows.push(Row::skipped("AWS permissions", "no AWS identity to check"));
                return rows;
            }
        };
        for role in roles {
            rows.push(self.assumable(&sts, role, &caller).await);
        }
        let ec2 = aws_sdk_ec2::Client::new(&base);
        let vpc = self.describes(&ec2, vpc, &mut rows).await;
        rows.push(
            self.dry_run(&ec2, region, vpc.as_deref(), service_name)
                .await,
        );
        let global = self.sdk_config(super::global_region(region), None).await;
        rows.push(
            zones(
                &aws_sdk_route53::Client::new(&global),
                region,
                vpc.as_deref(),
            )
            .await,
        );
        rows
    }

    /// AssumeRole itself, with the bot's own credentials, as a job's
    /// credential provider would call it.
    async fn assumable(&self, sts: &aws_sdk_sts::Client, role: &RoleArn, caller: &str) -> Row {
        let check = format!("assume {role}");
        match sts
            .assume_role()
            .role_arn(role.as_str())
            .role_session_name("privatelink-bot-check")
            .duration_seconds(900)
            .send()
            .await
        {
            Ok(out) => Row::pass(
                check,
                format!(
                    "assumed as {}",
                    out.assumed_role_user()
                        .map(|u| u.arn())
                        .unwrap_or("an assumed role")
                ),
            ),
            Err(e) => {
                let e = describe(Provider::Sts)(e);
                Row::fail(
                    check,
                    format!("{e:#}"),
                    format!(
                        "let {caller} assume it: the role's trust policy must name it, and its own policy must allow sts:AssumeRole on {role}"
                    ),
                )
            }
        }
    }

    /// One row per describe call a preflight makes; returns the VPC to try
    /// the rest with (the one given, or the first this account sees).
    async fn describes(
        &self,
        ec2: &aws_sdk_ec2::Client,
        vpc: Option<&VpcId>,
        rows: &mut Vec<Row>,
    ) -> Option<String> {
        let check = |action: &str| format!("ec2:{action}");
        let found = self.first_vpc(ec2, rows).await;
        let vpc = vpc.map(ToString::to_string).or(found);
        let in_vpc = || {
            vpc.iter()
                .map(|v| Filter::builder().name("vpc-id").values(v).build())
                .collect::<Vec<_>>()
        };
        let results = [
            (
                "DescribeSubnets",
                ec2.describe_subnets()
                    .set_filters(Some(in_vpc()))
                    .max_results(5)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(describe(Provider::Ec2)),
            ),
            (
                "DescribeSecurityGroups",
                ec2.describe_security_groups()
                    .set_filters(Some(in_vpc()))
                    .max_results(5)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(describe(Provider::Ec2)),
            ),
            (
                "DescribeVpcEndpoints",
                ec2.describe_vpc_endpoints()
                    .max_results(5)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(describe(Provider::Ec2)),
            ),
            (
                "DescribeVpcEndpointServices",
                ec2.describe_vpc_endpoint_services()
                    .max_results(5)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(describe(Provider::Ec2)),
            ),
        ];
        for (action, result) in results {
            rows.push(match result {
                Ok(()) => Row::pass(check(action), "allowed"),
                Err(e) => refused(&check(action), &check(action), &e),
            });
        }
        rows.push(self.vpc_attribute(ec2, vpc.as_deref()).await);
        vpc
    }

    /// `DescribeVpcs`: its row, and the first VPC it lists.
    async fn first_vpc(&self, ec2: &aws_sdk_ec2::Client, rows: &mut Vec<Row>) -> Option<String> {
        let check = |action: &str| format!("ec2:{action}");
        match ec2.describe_vpcs().max_results(5).send().await {
            Ok(out) => {
                let ids: Vec<String> = out
                    .vpcs()
                    .iter()
                    .filter_map(|v| v.vpc_id().map(str::to_owned))
                    .collect();
                rows.push(Row::pass(
                    check("DescribeVpcs"),
                    format!("allowed; {} VPC(s) on the first page", ids.len()),
                ));
                ids.into_iter().next()
            }
            Err(e) => {
                rows.push(refused(
                    &check("DescribeVpcs"),
                    "ec2:DescribeVpcs",
                    &describe(Provider::Ec2)(e),
                ));
                None
            }
        }
    }

    /// `DescribeVpcAttribute` on the VPC, when there is one to ask about.
    async fn vpc_attribute(&self, ec2: &aws_sdk_ec2::Client, vpc: Option<&str>) -> Row {
        let check = |action: &str| format!("ec2:{action}");
        match vpc {
            None => Row::skipped(
                check("DescribeVpcAttribute"),
                "no VPC to ask about; pass --vpc",
            ),
            Some(v) => match ec2
                .describe_vpc_attribute()
                .vpc_id(v)
                .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsSupport)
                .send()
                .await
            {
                Ok(_) => Row::pass(check("DescribeVpcAttribute"), format!("allowed on {v}")),
                Err(e) => refused(
                    &check("DescribeVpcAttribute"),
                    "ec2:DescribeVpcAttribute",
                    &describe(Provider::Ec2)(e),
                ),
            },
        }
    }

    /// `CreateVpcEndpoint` with `DryRun`: AWS answers `DryRunOperation` when
    /// the call would be allowed, `UnauthorizedOperation` when not.
    async fn dry_run(
        &self,
        ec2: &aws_sdk_ec2::Client,
        region: &AwsRegion,
        vpc: Option<&str>,
        service_name: Option<&str>,
    ) -> Row {
        let check = "ec2:CreateVpcEndpoint (DryRun)";
        if !self.settings.dry_run_preflight {
            return Row::skipped(
                check,
                "[aws] dry_run_preflight is off (for an emulator that would create the endpoint)",
            );
        }
        let Some(vpc) = vpc else {
            return Row::skipped(check, "no VPC to try it with; pass --vpc");
        };
        // Zilliz's service when known; otherwise one every region has, since
        // only the permission is in question.
        let service = service_name
            .map(str::to_owned)
            .unwrap_or_else(|| format!("com.amazonaws.{region}.sts"));
        let result = ec2
            .create_vpc_endpoint()
            .dry_run(true)
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id(vpc)
            .service_name(&service)
            .send()
            .await;
        match result {
            Err(e) if e.code() == Some("DryRunOperation") => {
                Row::pass(check, format!("allowed in {vpc} to {service}"))
            }
            Err(e) if e.code() == Some("UnauthorizedOperation") => Row::fail(
                check,
                e.message().unwrap_or("UnauthorizedOperation").to_owned(),
                format!(
                    "allow ec2:CreateVpcEndpoint, and ec2:CreateTags on creation, to the bot's identity ({POLICY})"
                ),
            ),
            Err(e) => {
                let e = describe(Provider::Ec2)(e);
                Row::skipped(check, format!("AWS did not say either way: {e:#}"))
            }
            Ok(_) => Row::skipped(
                check,
                "the target ignored DryRun and created an endpoint (an emulator?); turn [aws] dry_run_preflight off for it",
            ),
        }
    }
}

async fn zones(r53: &aws_sdk_route53::Client, region: &AwsRegion, vpc: Option<&str>) -> Row {
    let check = "route53:ListHostedZonesByVPC";
    let Some(vpc) = vpc else {
        return Row::skipped(check, "no VPC to ask about; pass --vpc");
    };
    match r53
        .list_hosted_zones_by_vpc()
        .vpc_id(vpc)
        .vpc_region(VpcRegion::from(region.as_str()))
        .max_items(1)
        .send()
        .await
    {
        Ok(_) => Row::pass(check, format!("allowed on {vpc}")),
        Err(e) => refused(check, check, &describe(Provider::Route53)(e)),
    }
}
