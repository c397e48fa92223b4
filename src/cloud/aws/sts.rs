//! STS: whose account the bot acts in, and the role a request names.

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;

use super::{describe, missing};
use crate::domain::ids::{AccountId, RoleArn};
use crate::ports::cloud::{CloudResult, Provider};

/// The account the credentials belong to (GetCallerIdentity).
async fn caller_account(sts: &aws_sdk_sts::Client) -> CloudResult<AccountId> {
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(describe(Provider::Sts))?;
    let account = out
        .account()
        .ok_or_else(|| missing(Provider::Sts, "GetCallerIdentity returned no account id"))?;
    AccountId::parse(account).map_err(|_| {
        missing(
            Provider::Sts,
            "GetCallerIdentity returned an account id that is not 12 digits",
        )
    })
}

/// Whose account a target's credentials act in, asked of STS once and
/// shared by its EC2 and Route 53 sides (a target is one region and role,
/// so the answer cannot change).
pub(super) struct Account {
    sts: aws_sdk_sts::Client,
    id: tokio::sync::OnceCell<AccountId>,
}

impl Account {
    pub(super) fn new(sts: aws_sdk_sts::Client) -> Self {
        Self {
            sts,
            id: tokio::sync::OnceCell::new(),
        }
    }

    pub(super) async fn id(&self) -> CloudResult<AccountId> {
        self.id
            .get_or_try_init(|| caller_account(&self.sts))
            .await
            .cloned()
    }
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
