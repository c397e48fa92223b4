//! A string that never prints: API keys and tokens live in this type from
//! the moment they are read, so a `{:?}` in a log line cannot leak them.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Reads a secret from the environment variable `name`; the error names the
/// variable, never a value.
pub fn from_env(name: &str, what: &str) -> anyhow::Result<Secret> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
        _ => anyhow::bail!("the {what} is missing: set the environment variable {name}"),
    }
}

/// Where secrets are read from, by the name of the environment variable
/// that holds each: the process's environment, or a given set (tests and the
/// sandbox), so a config names the same thing either way.
#[derive(Clone, Default)]
pub struct SecretSource {
    given: Option<std::sync::Arc<std::collections::BTreeMap<String, Secret>>>,
}

impl SecretSource {
    /// The process's environment.
    pub fn environment() -> Self {
        Self::default()
    }

    /// Exactly these variables, and no others.
    pub fn given<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let map = pairs
            .into_iter()
            .map(|(name, value)| (name.to_owned(), Secret::new(value)))
            .collect();
        Self {
            given: Some(std::sync::Arc::new(map)),
        }
    }

    /// The secret in variable `name`; the error names the variable and what
    /// it holds (`what`), never a value.
    pub fn read(&self, name: &str, what: &str) -> anyhow::Result<Secret> {
        match &self.given {
            None => from_env(name, what),
            Some(map) => map.get(name).cloned().ok_or_else(|| {
                anyhow::anyhow!("the {what} is missing: set the environment variable {name}")
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn never_prints() {
        let s = super::Secret::new("hunter2");
        assert!(!format!("{s:?} {s}").contains("hunter2"));
    }

    #[test]
    fn a_given_source_reads_only_what_it_was_given_and_names_the_variable() {
        let source = super::SecretSource::given([("BOT_TOKEN", "hunter2")]);
        assert_eq!(
            source.read("BOT_TOKEN", "bot token").unwrap().expose(),
            "hunter2"
        );
        let missing = source.read("PATH", "path").unwrap_err().to_string();
        assert!(missing.contains("PATH"), "{missing}");
    }
}
