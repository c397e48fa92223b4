//! The grammar's tests: property tests that no line panics the parser and
//! that every valid request reads back, and one test per problem it names.

use proptest::prelude::*;

/// Requests the grammar accepts: valid ids, distinct list items, a role
/// (sometimes) in the region's partition.
pub(crate) fn valid_request() -> impl Strategy<Value = CreateRequest> {
    let hex = |n: usize| proptest::string::string_regex(&format!("[0-9a-f]{{{n}}}")).unwrap();
    let ec2 = move |prefix: &'static str| {
        prop_oneof![hex(8), hex(17)].prop_map(move |h| format!("{prefix}-{h}"))
    };
    let distinct = |s: BoxedStrategy<String>| {
        proptest::collection::btree_set(s, 1..4).prop_map(|set| set.into_iter().collect::<Vec<_>>())
    };
    (
        "proj-[a-z0-9]{1,20}",
        prop_oneof![
            Just("us-west-2"),
            Just("eu-central-1"),
            Just("cn-northwest-1"),
            Just("us-gov-west-1")
        ],
        ec2("vpc"),
        distinct(ec2("subnet").boxed()),
        distinct(ec2("sg").boxed()),
        distinct("[a-z]{2}[0-9]{2}-[a-z0-9]{1,20}".boxed()),
        proptest::option::of("[A-Za-z0-9+=,.@_-]{1,30}"),
    )
        .prop_map(|(project, region, vpc, subnets, sgs, clusters, role)| {
            let partition = if region.starts_with("cn-") {
                "aws-cn"
            } else {
                "aws"
            };
            CreateRequest {
                project: ProjectId::parse(&project).unwrap(),
                region: ZillizRegion::parse(&format!("aws-{region}")).unwrap(),
                vpc: VpcId::parse(&vpc).unwrap(),
                subnets: subnets
                    .iter()
                    .map(|s| SubnetId::parse(s).unwrap())
                    .collect(),
                security_groups: sgs
                    .iter()
                    .map(|s| SecurityGroupId::parse(s).unwrap())
                    .collect(),
                clusters: clusters
                    .iter()
                    .map(|c| ClusterId::parse(c).unwrap())
                    .collect(),
                role: role.map(|name| {
                    RoleArn::parse(&format!("arn:{partition}:iam::123456789012:role/{name}"))
                        .unwrap()
                }),
            }
        })
}

proptest! {
    /// The grammar answers any line, however odd, with a command or an
    /// error; it never panics.
    #[test]
    fn parsing_never_panics(line in "\\PC{0,120}") {
        // Nor does telling the problems, in either language.
        if let Err(e) = parse(&line) {
            for locale in crate::i18n::Locale::ALL {
                prop_assert!(e.render(locale).contains("/privatelink"));
            }
        }
    }

    /// A valid request, written out, parses back to itself.
    #[test]
    fn a_valid_create_round_trips_through_its_rendering(r in valid_request()) {
        let line = format!("create {r}");
        prop_assert_eq!(parse(&line), Ok(Command::Create(r)), "{}", line);
    }

    /// Lines shaped like commands, with odd characters where ids go.
    #[test]
    fn command_shaped_lines_never_panic(
        verb in "(create|plan|status|list|cancel|retry|rollback|delete|help)",
        args in proptest::collection::vec("(project|region|vpc|subnets|sg|clusters|role)=[a-zé0-9,:/ -]{0,24}", 0..8),
    ) {
        if let Err(e) = parse(&format!("{verb} {}", args.join(" "))) {
            for locale in crate::i18n::Locale::ALL {
                prop_assert!(!e.render(locale).is_empty());
            }
        }
    }
}

use super::*;

const OK: &str = "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123abcd subnets=subnet-0123abcd,subnet-4567abcd sg=sg-0123abcd clusters=in01-abc";

#[test]
fn parses_a_create_in_both_styles() {
    let Command::Create(a) = parse(OK).unwrap() else {
        panic!("not a create")
    };
    let b = parse("/privatelink create --project proj-abc123 --region aws-us-west-2 --vpc=vpc-0123abcd --subnets subnet-0123abcd, subnet-4567abcd --sg sg-0123abcd --clusters in01-abc").unwrap();
    assert_eq!(Command::Create(a.clone()), b);
    assert_eq!(a.subnets.len(), 2);
    assert_eq!(a.role, None);
}

#[test]
fn reports_every_problem_with_its_field() {
    let err = parse("create project=proj-abc region=us-west-2 vpc=vpc-12 subnets=subnet-0123abcd,subnet-0123abcd sg= bogus=1").unwrap_err();
    for field in ["region", "vpc", "subnets", "sg", "bogus", "clusters"] {
        assert!(
            err.for_field(field).is_some(),
            "no problem for {field}: {err}"
        );
    }
    assert!(err.to_string().contains("Usage: /privatelink create"));
}

#[test]
fn role_partition_must_match_region() {
    let err = parse(&format!("{OK} role=arn:aws-cn:iam::123456789012:role/bot")).unwrap_err();
    assert!(
        err.for_field("role")
            .unwrap()
            .render(Locale::En)
            .contains("partition")
    );
}

#[test]
fn short_commands() {
    assert_eq!(
        parse("status pl-7").unwrap(),
        Command::Status(JobId::new(7))
    );
    assert_eq!(parse("list").unwrap(), Command::List(ListFilter::Mine));
    assert!(parse("list everything").is_err());
    assert!(parse("retry").is_err());
    assert_eq!(
        parse("help create").unwrap(),
        Command::Help(Some("create".into()))
    );
    assert!(parse("frobnicate").is_err());
    assert!(parse("").is_err());
}
