//! Zilliz Cloud's ids: projects, clusters and regions.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{AwsRegion, IdError, is_lower_alnum};

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
