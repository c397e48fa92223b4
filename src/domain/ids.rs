//! Identifiers that can only be built by parsing.
//!
//! Every id the bot hands to AWS or Zilliz Cloud passes through one of these
//! types first, so a malformed id is refused where the user typed it, never
//! half-way through a job.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{Arg, Locale, Text};
use crate::text;

/// Why a piece of text is not a valid id of some kind. The message is written
/// for the person who typed it.
/// A value that is not the id it should be. `what` and `expected` are
/// catalogue keys (`i18n`), so the problem can be told in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    pub value: String,
    pub what: &'static str,
    pub expected: &'static str,
    /// The EC2 prefix, for `id-expected-ec2`.
    pub prefix: &'static str,
}

impl IdError {
    fn new(value: &str, what: &'static str, expected: &'static str) -> Self {
        Self {
            value: value.to_owned(),
            what,
            expected,
            prefix: "",
        }
    }

    /// The problem, to be told in the reader's language.
    pub fn text(&self) -> Text {
        text!(
            "id-invalid",
            value = format!("{:?}", self.value),
            what = Arg::Message(self.what.to_owned()),
            expected = Text::new(
                self.expected,
                vec![("prefix".to_owned(), Arg::Text(self.prefix.to_owned()))]
            ),
        )
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text().render(Locale::En))
    }
}

impl std::error::Error for IdError {}

fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_lower_alnum(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// Parses `<prefix>-<8 or 17 lowercase hex digits>`, the shape of every EC2
/// resource id the bot touches.
fn parse_ec2_id(
    value: &str,
    prefix: &'static str,
    what: &'static str,
    expected: &'static str,
) -> Result<String, IdError> {
    let ok = value
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| (hex.len() == 8 || hex.len() == 17) && is_lower_hex(hex));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(IdError {
            prefix,
            ..IdError::new(value, what, expected)
        })
    }
}

/// Implements the string plumbing shared by every string-backed id.
macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

macro_rules! ec2_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, IdError> {
                parse_ec2_id(
                    value,
                    $prefix,
                    $what,
                    "id-expected-ec2",
                )
                .map(Self)
            }
        }

        string_id!($name);
    };
}

ec2_id!(
    /// An AWS VPC id, `vpc-0abc…`.
    VpcId,
    "vpc",
    "id-vpc"
);
ec2_id!(
    /// An AWS subnet id, `subnet-0abc…`.
    SubnetId,
    "subnet",
    "id-subnet"
);
ec2_id!(
    /// An AWS security group id, `sg-0abc…`.
    SecurityGroupId,
    "sg",
    "id-sg"
);
ec2_id!(
    /// An AWS VPC endpoint id, `vpce-0abc…`.
    EndpointId,
    "vpce",
    "id-vpce"
);

/// A Zilliz Cloud project id, `proj-…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectId(String);

impl ProjectId {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let ok = value
            .strip_prefix("proj-")
            .is_some_and(|rest| (1..=64).contains(&rest.len()) && is_lower_alnum(rest));
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdError::new(value, "id-project", "id-expected-project"))
        }
    }
}
string_id!(ProjectId);

/// A Zilliz Cloud cluster id, such as `in01-3e5ad8adc38c2f1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClusterId(String);

impl ClusterId {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        // Zilliz cluster ids are an instance-family prefix (`in01`, `in03`, …)
        // and a lowercase alphanumeric suffix.
        // By bytes: any character at all, multi-byte ones included, is
        // judged, never sliced through.
        let ok = value.split_once('-').is_some_and(|(family, rest)| {
            matches!(
                family.as_bytes(),
                [a, b, c, d] if a.is_ascii_lowercase()
                    && b.is_ascii_lowercase()
                    && c.is_ascii_digit()
                    && d.is_ascii_digit()
            ) && (1..=64).contains(&rest.len())
                && is_lower_alnum(rest)
        });
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdError::new(value, "id-cluster", "id-expected-cluster"))
        }
    }
}
string_id!(ClusterId);

/// The AWS partition a region or ARN belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Partition {
    #[serde(rename = "aws")]
    Aws,
    #[serde(rename = "aws-cn")]
    AwsCn,
}

impl Partition {
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
        }
    }
}

/// An AWS region name such as `us-west-2` or `cn-northwest-1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AwsRegion(String);

impl AwsRegion {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let err = || IdError::new(value, "id-aws-region", "id-expected-aws-region");
        let parts: Vec<&str> = value.split('-').collect();
        // geo[-gov|-iso]-direction-number, e.g. us-west-2, us-gov-west-1.
        let (geo, middle, number) = match parts.as_slice() {
            [geo, direction, number] => (*geo, vec![*direction], *number),
            [geo, qualifier, direction, number] => (*geo, vec![*qualifier, *direction], *number),
            _ => return Err(err()),
        };
        let geo_ok = geo.len() == 2 && geo.bytes().all(|b| b.is_ascii_lowercase());
        let middle_ok = middle
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()));
        let number_ok =
            !number.is_empty() && number.len() <= 2 && number.bytes().all(|b| b.is_ascii_digit());
        if geo_ok && middle_ok && number_ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(err())
        }
    }

    pub fn partition(&self) -> Partition {
        if self.0.starts_with("cn-") {
            Partition::AwsCn
        } else {
            Partition::Aws
        }
    }
}
string_id!(AwsRegion);

/// A Zilliz Cloud region id for AWS, `aws-us-west-2`. The AWS region is the
/// part after `aws-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZillizRegion(String);

impl ZillizRegion {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let err = || IdError::new(value, "id-zilliz-region", "id-expected-zilliz-region");
        let aws = value.strip_prefix("aws-").ok_or_else(err)?;
        AwsRegion::parse(aws).map_err(|_| err())?;
        Ok(Self(value.to_owned()))
    }

    /// The AWS region this Zilliz region runs in.
    pub fn aws_region(&self) -> AwsRegion {
        // Checked in `parse`: the prefix is there.
        AwsRegion(self.0.strip_prefix("aws-").unwrap_or(&self.0).to_owned())
    }
}
string_id!(ZillizRegion);

/// An IAM role ARN in the `aws` or `aws-cn` partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleArn(String);

impl RoleArn {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let err = || IdError::new(value, "id-role", "id-expected-role");
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = parts.as_slice() else {
            return Err(err());
        };
        let name = resource.strip_prefix("role/").unwrap_or_default();
        let name_ok = !name.is_empty()
            && name.len() <= 512
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
            && !name.ends_with('/');
        if *arn == "arn"
            && matches!(*partition, "aws" | "aws-cn")
            && *service == "iam"
            && region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && name_ok
        {
            Ok(Self(value.to_owned()))
        } else {
            Err(err())
        }
    }

    pub fn partition(&self) -> Partition {
        if self.0.starts_with("arn:aws-cn:") {
            Partition::AwsCn
        } else {
            Partition::Aws
        }
    }

    pub fn account(&self) -> &str {
        self.0.split(':').nth(4).unwrap_or_default()
    }
}
string_id!(RoleArn);

/// A job id as people say it: `PL-1042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobId(u64);

impl JobId {
    pub const fn new(number: u64) -> Self {
        Self(number)
    }

    pub fn parse(value: &str) -> Result<Self, IdError> {
        let err = || IdError::new(value, "id-job", "id-expected-job");
        let digits = value
            .get(..3)
            .filter(|p| p.eq_ignore_ascii_case("pl-"))
            .and_then(|_| value.get(3..))
            .ok_or_else(err)?;
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        digits.parse().map(Self).map_err(|_| err())
    }

    pub fn number(self) -> u64 {
        self.0
    }
}

impl TryFrom<String> for JobId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, IdError> {
        Self::parse(&value)
    }
}

impl From<JobId> for String {
    fn from(id: JobId) -> String {
        id.to_string()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PL-{}", self.0)
    }
}

/// The chat platform an actor or conversation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Slack,
    Discord,
    Console,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Slack => "slack",
            Platform::Discord => "discord",
            Platform::Console => "console",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "slack" => Some(Platform::Slack),
            "discord" => Some(Platform::Discord),
            "console" => Some(Platform::Console),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user qualified by platform, `slack:U024BE7LH`, so that rights given on
/// one platform never leak to a same-named user on another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserRef {
    pub platform: Platform,
    pub id: String,
}

impl UserRef {
    pub fn new(platform: Platform, id: impl Into<String>) -> Self {
        Self {
            platform,
            id: id.into(),
        }
    }

    /// A user id as a platform sends it: 1 to 64 ASCII letters, digits and
    /// `_ . - @`. Anything else (empty, control characters, direction
    /// overrides, spaces) is refused, so nothing odd reaches the store, the
    /// audit log or a terminal.
    pub fn parse(platform: Platform, id: &str) -> Result<Self, IdError> {
        if is_platform_id(id) {
            Ok(Self::new(platform, id))
        } else {
            Err(IdError::new(&printable(id), "id-user", "id-expected-user"))
        }
    }
}

/// Whether `id` looks like a platform's user or channel id.
pub fn is_platform_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-@".contains(&b))
}

/// `text` with every control or invisible formatting character (direction
/// overrides included) shown as its escape: safe to print anywhere.
pub fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let hidden = c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
            let shown: Vec<char> = if hidden {
                c.escape_unicode().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}

impl fmt::Display for UserRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

#[cfg(test)]
mod tests {
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
                let _ = RoleArn::parse(v);
                let _ = JobId::parse(v);
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
        assert_eq!(a.account(), "123456789012");
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
}
