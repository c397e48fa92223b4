//! AWS's ids: EC2 resources, regions and partitions, role ARNs.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdError, is_lower_hex};

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
pub struct AwsRegion(pub(super) String);

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

    /// The account the role lives in (checked by `parse`: twelve digits).
    pub fn account(&self) -> AccountId {
        AccountId(self.0.split(':').nth(4).unwrap_or_default().to_owned())
    }
}
string_id!(RoleArn);

/// An AWS account id: twelve digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

impl AccountId {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdError::new(value, "id-account", "id-expected-account"))
        }
    }
}
string_id!(AccountId);

/// A Route 53 hosted zone id, such as `Z1YSHQZHG15GKL`: up to 32 capital
/// letters and digits. Route 53 answers some as `/hostedzone/Z…`; parsing
/// takes either and keeps the bare id, which is what every call takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZoneId(String);

impl ZoneId {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let bare = value.strip_prefix("/hostedzone/").unwrap_or(value);
        let ok = (1..=32).contains(&bare.len())
            && bare
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(bare.to_owned()))
        } else {
            Err(IdError::new(value, "id-zone", "id-expected-zone"))
        }
    }
}
string_id!(ZoneId);
