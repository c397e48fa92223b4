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

/// `base` acting as `role`, through STS AssumeRole, with the external id
/// the role's trust policy asks for, if any.
pub(super) async fn assuming(
    base: SdkConfig,
    role: &RoleArn,
    external_id: Option<&crate::secret::Secret>,
) -> SdkConfig {
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(role.as_str())
        .configure(&base)
        .session_name("privatelink-bot");
    if let Some(id) = external_id {
        builder = builder.external_id(id.expose());
    }
    let provider = builder.build().await;
    base.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}
