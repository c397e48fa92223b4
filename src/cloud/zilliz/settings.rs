//! `[zilliz]` in the config: which control plane, and where the API key is.

use serde::Deserialize;

use crate::secret::Secret;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZillizSettings {
    /// The control plane: `global` (https://api.cloud.zilliz.com), `cn`
    /// (Zilliz Cloud China, https://api.cloud.zilliz.com.cn), or a URL.
    pub base_url: String,
    /// The environment variable holding the API key.
    #[serde(default = "default_key_env")]
    pub api_key_env: String,
    /// Which Zilliz Cloud `base_url` is: `global` or `cn`. Read from the
    /// URL when not set (China's hosts end in `.cn`); set it for a gateway
    /// or proxy whose URL does not say.
    #[serde(default)]
    pub cloud: Option<String>,
}

/// Zilliz Cloud's control planes by name; anything else is taken as a URL.
pub fn control_plane(name_or_url: &str) -> String {
    match name_or_url.trim() {
        "global" => "https://api.cloud.zilliz.com".to_owned(),
        "cn" | "china" => "https://api.cloud.zilliz.com.cn".to_owned(),
        other => other.to_owned(),
    }
}

fn default_key_env() -> String {
    "ZILLIZ_API_KEY".to_owned()
}

impl ZillizSettings {
    /// The control plane and which Zilliz Cloud it belongs to.
    pub fn control_plane(&self) -> crate::domain::plan::ControlPlane {
        let china = match self.cloud.as_deref() {
            Some("cn" | "china") => Some(true),
            Some(_) => Some(false),
            None => None,
        };
        crate::domain::plan::ControlPlane::new(&self.base_url, china)
    }

    /// Reads the API key from the environment. The error names the
    /// variable, never a value.
    pub fn api_key(&self) -> anyhow::Result<Secret> {
        crate::secret::from_env(&self.api_key_env, "Zilliz Cloud API key")
    }
}
