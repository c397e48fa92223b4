//! The table that holds preflight's rules: one fact changed from a request
//! with nothing to say, and the findings it must give.

use super::*;
use crate::domain::command::{Command, parse};
use crate::domain::plan::{ControlPlane, Severity};

const VPC: &str = "vpc-0123456789abcdef0";
const LINE: &str = "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123456789abcdef0 subnets=subnet-0123456789abcdef0,subnet-0123456789abcdef1 sg=sg-0123456789abcdef0 clusters=in01-3e5ad8adc38c2f1";

fn request() -> CreateRequest {
    match parse(LINE) {
        Ok(Command::Create(r)) => r,
        other => panic!("{other:?}"),
    }
}

/// Everything as it should be: nothing to say.
fn all_well(r: &CreateRequest) -> Observed {
    let zones = ["us-west-2a", "us-west-2b"];
    Observed {
        service: Ok(Some(ServiceSeen {
            name: "com.amazonaws.vpce.us-west-2.vpce-svc-1".into(),
            whitelist_required: false,
        })),
        clusters: vec![(
            r.clusters[0].clone(),
            Ok(Some(ClusterSeen {
                plan: ClusterPlan::parse("Dedicated"),
                project: r.project.to_string(),
                region: r.region.to_string(),
                status: ClusterStatus::Running,
            })),
        )],
        aws: Ok(AwsSeen {
            account: AccountId::parse("123456789012").ok(),
            vpc: Some((true, true)),
            subnets: r
                .subnets
                .iter()
                .zip(zones)
                .map(|(id, zone)| SubnetSeen {
                    id: id.clone(),
                    vpc: VPC.into(),
                    zone: zone.into(),
                })
                .collect(),
            service_zones: Some(zones.iter().map(|z| (*z).to_owned()).collect()),
            groups: vec![GroupSeen {
                id: r.security_groups[0].clone(),
                vpc: VPC.into(),
            }],
            closed_ports: Vec::new(),
            dry_run: Some(Ok(())),
        }),
    }
}

fn aws(o: &mut Observed) -> &mut AwsSeen {
    o.aws.as_mut().expect("AWS was read")
}

fn cluster(o: &mut Observed) -> &mut ClusterSeen {
    match &mut o.clusters[0].1 {
        Ok(Some(c)) => c,
        _ => panic!("the cluster was read"),
    }
}

type Change = fn(&mut Observed);

/// One fact changed from `all_well`, and the findings it must give
/// (`!` marks a blocking one), in order.
const RULES: &[(&str, Change, &[&str])] = &[
    ("all well", |_| {}, &[]),
    (
        "Zilliz unreadable",
        |o| o.service = Err("503".into()),
        &["!finding-zilliz-services-unreadable"],
    ),
    (
        "no endpoint service",
        |o| o.service = Ok(None),
        &["!finding-no-endpoint-service"],
    ),
    (
        "unknown cluster",
        |o| o.clusters[0].1 = Ok(None),
        &["!finding-no-cluster"],
    ),
    (
        "cluster unreadable",
        |o| o.clusters[0].1 = Err("403".into()),
        &["!finding-cluster-unreadable"],
    ),
    (
        "serverless",
        |o| cluster(o).plan = ClusterPlan::parse("Serverless"),
        &["!finding-not-dedicated"],
    ),
    (
        "another project",
        |o| cluster(o).project = "proj-other".into(),
        &["!finding-cluster-project"],
    ),
    (
        "another region",
        |o| cluster(o).region = "aws-us-east-1".into(),
        &["!finding-cluster-region"],
    ),
    (
        "stopped",
        |o| cluster(o).status = ClusterStatus::parse("STOPPED"),
        &["finding-cluster-not-running"],
    ),
    (
        "AWS unreachable",
        |o| o.aws = Err(AwsUnread::Unreachable("no credentials".into())),
        &["!finding-aws-unreachable"],
    ),
    (
        "AWS refused",
        |o| o.aws = Err(AwsUnread::Refused("AccessDenied".into())),
        &["!finding-aws-refused"],
    ),
    (
        "no VPC: nothing else is judged",
        |o| {
            let a = aws(o);
            a.vpc = None;
            a.subnets.clear();
        },
        &["!finding-no-vpc"],
    ),
    (
        "DNS off",
        |o| aws(o).vpc = Some((false, false)),
        &["!finding-dns-support-off", "!finding-dns-hostnames-off"],
    ),
    (
        "service not shown, whitelist required: the job allows it in",
        |o| {
            if let Ok(Some(s)) = &mut o.service {
                s.whitelist_required = true;
            }
            aws(o).service_zones = None;
        },
        &["finding-service-not-yet-visible"],
    ),
    (
        "service not shown",
        |o| aws(o).service_zones = None,
        &["!finding-service-invisible"],
    ),
    (
        "subnet missing",
        |o| {
            aws(o).subnets.pop();
        },
        &["!finding-no-subnet"],
    ),
    (
        "subnet in another VPC",
        |o| aws(o).subnets[1].vpc = "vpc-other".into(),
        &["!finding-subnet-vpc"],
    ),
    (
        "subnet in a zone the service is not in",
        |o| aws(o).subnets[1].zone = "us-west-2d".into(),
        &["!finding-subnet-zone"],
    ),
    (
        "two subnets in one zone",
        |o| aws(o).subnets[1].zone = "us-west-2a".into(),
        &["!finding-subnets-same-zone"],
    ),
    (
        "security group missing",
        |o| aws(o).groups.clear(),
        &["!finding-no-sg"],
    ),
    (
        "security group in another VPC",
        |o| aws(o).groups[0].vpc = "vpc-other".into(),
        &["!finding-sg-vpc"],
    ),
    (
        "port closed",
        |o| aws(o).closed_ports = vec![19530],
        &["finding-ports-closed"],
    ),
    (
        "dry run denied",
        |o| aws(o).dry_run = Some(Err("not authorized".into())),
        &["!finding-dry-run-denied"],
    ),
];

#[test]
fn each_rule_turns_one_fact_into_its_finding() {
    let r = request();
    for (case, change, want) in RULES {
        let mut observed = all_well(&r);
        change(&mut observed);
        let plan = judge(&r, &observed);
        let got: Vec<String> = plan
            .findings
            .iter()
            .map(|f| {
                let mark = if f.severity == Severity::Blocking {
                    "!"
                } else {
                    ""
                };
                format!("{mark}{}", f.message.key)
            })
            .collect();
        assert_eq!(got, *want, "{case}");
    }
}

#[test]
fn the_plan_carries_the_service_and_the_account() {
    let r = request();
    let plan = judge(&r, &all_well(&r));
    assert_eq!(
        plan.endpoint_service,
        "com.amazonaws.vpce.us-west-2.vpce-svc-1"
    );
    assert_eq!(
        plan.account.as_ref().map(AccountId::as_str),
        Some("123456789012")
    );
    assert!(!plan.whitelist_required);
}

#[test]
fn ports_come_from_addresses_and_control_planes_from_urls() {
    assert_eq!(
        ports_needed([]),
        BTreeSet::from([443, DEFAULT_CLUSTER_PORT])
    );
    assert_eq!(
        ports_needed(["https://in01-x-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19532"]),
        BTreeSet::from([443, 19532])
    );
    assert_eq!(
        port_of("https://in01-x.api.aws-us-west-2.zillizcloud.com"),
        Some(443)
    );
    assert_eq!(port_of("in01-x.example.com:19530"), Some(19530));
    let china = |url: &str, said: Option<bool>| ControlPlane::new(url, said).china;
    assert!(china("https://api.cloud.zilliz.com.cn", None));
    assert!(!china("https://api.cloud.zilliz.com", None));
    assert!(!china("not a url", None));
    assert!(china("http://127.0.0.1:8080", Some(true)), "as configured");
    assert!(!china("https://api.cloud.zilliz.com.cn", Some(false)));
}
