//! STS: whose account the bot acts in, and the role a request names.

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;

use super::{describe, missing};
use crate::domain::ids::RoleArn;
use crate::ports::cloud::{CloudResult, Provider};

/// The account the credentials belong to (GetCallerIdentity).
pub(super) async fn caller_account(sts: &aws_sdk_sts::Client) -> CloudResult<String> {
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(describe(Provider::Sts))?;
    out.account()
        .map(str::to_owned)
        .ok_or_else(|| missing(Provider::Sts, "GetCallerIdentity returned no account id"))
}

/// `base` acting as `role`, through STS AssumeRole.
pub(super) async fn assuming(base: SdkConfig, role: &RoleArn) -> SdkConfig {
    let provider = aws_config::sts::AssumeRoleProvider::builder(role.as_str())
        .configure(&base)
        .session_name("privatelink-bot")
        .build()
        .await;
    base.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}
