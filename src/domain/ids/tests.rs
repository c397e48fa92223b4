//! The ids' parsing: what each accepts and refuses.

use super::*;
use proptest::prelude::*;

proptest! {
    /// Every id parser judges any text, multi-byte characters included,
    /// and never panics.
    #[test]
    fn no_id_parser_panics_on_any_text(s in "\\PC{0,40}", t in "[a-zé0-9-]{0,12}") {
        for v in [s.as_str(), t.as_str()] {
            let _ = ClusterId::parse(v);
            let _ = VpcId::parse(v);
            let _ = SubnetId::parse(v);
            let _ = SecurityGroupId::parse(v);
            let _ = EndpointId::parse(v);
            let _ = ProjectId::parse(v);
            let _ = ZillizRegion::parse(v).map(|r| r.aws_region());
            let _ = AwsRegion::parse(v);
            let _ = RoleArn::parse(v).map(|r| r.account());
            let _ = AccountId::parse(v);
            let _ = JobId::parse(v);
            let _ = ZoneId::parse(v);
            let _ = ChannelId::parse(v);
            let _ = ChannelName::parse(v).map(|n| n.to_string());
            let _ = crate::domain::rules::ChannelMatch::parse(v).map(|m| m.to_string());
        }
    }
}

#[test]
fn user_ids_with_odd_characters_are_refused_and_shown_escaped() {
    assert!(UserRef::parse(Platform::Slack, "U024BE7LH").is_ok());
    for bad in ["", "U1\0", "U1\tU2", "U1\u{202e}", "a b", &"U".repeat(65)] {
        assert!(UserRef::parse(Platform::Slack, bad).is_err(), "{bad:?}");
    }
    assert_eq!(printable("bob\u{202e}x\t"), "bob\\u{202e}x\\u{9}");
}

#[test]
fn a_multi_byte_character_in_a_cluster_id_is_refused_not_a_panic() {
    let e = ClusterId::parse("aé1-x").unwrap_err();
    assert!(e.to_string().contains("cluster id"), "{e}");
    assert!(ClusterId::parse("ééé-1").is_err());
    assert!(ClusterId::parse("in01-3e5ad8adc38c2f1").is_ok());
}

#[test]
fn ec2_ids_take_8_or_17_hex_digits() {
    assert!(VpcId::parse("vpc-0123abcd").is_ok());
    assert!(VpcId::parse("vpc-0123456789abcdef0").is_ok());
    assert!(VpcId::parse("vpc-0123abc").is_err());
    assert!(VpcId::parse("vpc-0123ABCD").is_err());
    assert!(VpcId::parse("subnet-0123abcd").is_err());
    assert!(SubnetId::parse("subnet-0123abcd").is_ok());
    assert!(SecurityGroupId::parse("sg-0123456789abcdef0").is_ok());
    assert!(EndpointId::parse("vpce-0123456789abcdef").is_err());
}

#[test]
fn regions_derive_aws_region_and_partition() {
    let r = ZillizRegion::parse("aws-us-west-2").unwrap();
    assert_eq!(r.aws_region().as_str(), "us-west-2");
    assert_eq!(r.aws_region().partition(), Partition::Aws);
    let cn = ZillizRegion::parse("aws-cn-northwest-1").unwrap();
    assert_eq!(cn.aws_region().partition(), Partition::AwsCn);
    assert!(ZillizRegion::parse("aws-us-gov-west-1").is_ok());
    assert!(ZillizRegion::parse("gcp-us-west1").is_err());
    assert!(ZillizRegion::parse("aws-uswest2").is_err());
}

#[test]
fn role_arns_in_both_partitions() {
    let a = RoleArn::parse("arn:aws:iam::123456789012:role/ops/PrivateLinkBot").unwrap();
    assert_eq!(a.partition(), Partition::Aws);
    assert_eq!(a.account().as_str(), "123456789012");
    let c = RoleArn::parse("arn:aws-cn:iam::123456789012:role/bot").unwrap();
    assert_eq!(c.partition(), Partition::AwsCn);
    assert!(RoleArn::parse("arn:aws:iam::12345:role/bot").is_err());
    assert!(RoleArn::parse("arn:aws:iam::123456789012:user/bot").is_err());
    assert!(RoleArn::parse("arn:aws-us-gov:iam::123456789012:role/bot").is_err());
}

#[test]
fn job_ids_round_trip() {
    let id = JobId::parse("pl-1042").unwrap();
    assert_eq!(id.to_string(), "PL-1042");
    assert!(JobId::parse("PL-").is_err());
    assert!(JobId::parse("1042").is_err());
}

#[test]
fn zilliz_ids() {
    assert!(ProjectId::parse("proj-4487580fcfe2c8a4391686").is_ok());
    assert!(ProjectId::parse("proj-").is_err());
    assert!(ClusterId::parse("in01-3e5ad8adc38c2f1").is_ok());
    assert!(ClusterId::parse("cluster-1").is_err());
}

#[test]
fn account_ids_are_twelve_digits() {
    assert!(AccountId::parse("123456789012").is_ok());
    for bad in [
        "12345678901",
        "1234567890123",
        "12345678901a",
        "１23456789012",
        "",
    ] {
        assert!(AccountId::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn zone_ids_are_kept_bare_whichever_form_route53_answered() {
    let bare = ZoneId::parse("Z1YSHQZHG15GKL").expect("bare");
    assert_eq!(
        ZoneId::parse("/hostedzone/Z1YSHQZHG15GKL").ok(),
        Some(bare.clone())
    );
    assert_eq!(bare.as_str(), "Z1YSHQZHG15GKL");
    for bad in [
        "",
        "/hostedzone/",
        "z1yshq",
        "Z1 YS",
        "Z1-YS",
        &"Z".repeat(33),
    ] {
        assert!(ZoneId::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn channel_ids_are_short_tokens_without_spaces() {
    for good in ["C024BE91L", "1234567890123456789", "platform-ops"] {
        assert!(ChannelId::parse(good).is_ok(), "{good}");
    }
    for bad in ["", "ops room", "ops\n", "ops\u{7}", &"c".repeat(81)] {
        assert!(ChannelId::parse(bad).is_err(), "{bad:?}");
    }
    let e = ChannelId::parse("ops room").unwrap_err();
    assert_eq!(e.what, "id-channel");
}
