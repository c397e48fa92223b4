//! Logging: tracing to stderr, as text for people or JSON lines for log
//! collectors (`[log] format`), filtered by `RUST_LOG` or `[log] level`.
//! Work for a job runs in a `job` span and each step in a `step` span, so
//! every line about a job carries its id (and its step). Nothing logged
//! carries a secret: secrets are `Secret`s, which print as `[redacted]`.

use std::io::IsTerminal;

use serde::Deserialize;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One readable line per event, with its spans' fields.
    #[default]
    Human,
    /// One JSON object per event: `timestamp`, `level`, `fields`, `span`,
    /// `spans` (the job and step it belongs to).
    Json,
}

/// Logging settings from config (`[log]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    pub format: Format,
    /// The level when `RUST_LOG` is not set: `error`, `warn`, `info`,
    /// `debug`, `trace`, or a full filter such as `info,aws_config=warn`.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: Format::Human,
            level: "info".to_owned(),
        }
    }
}

/// Installs the process's subscriber (once; later calls do nothing).
pub fn init(settings: &LogSettings) {
    let _ = tracing::subscriber::set_global_default(subscriber(
        settings,
        std::io::stderr,
        std::io::stderr().is_terminal(),
    ));
}

/// The subscriber `init` installs, writing to `writer` (tests pass a buffer).
pub fn subscriber<W>(
    settings: &LogSettings,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false);
    match settings.format {
        // Colour codes only for people; log collectors get plain text.
        Format::Human => Box::new(builder.with_ansi(ansi).finish()),
        Format::Json => Box::new(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(true)
                .finish(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn json_lines_carry_the_job_and_step_and_never_a_secret() {
        let out = Buffer::default();
        let settings = LogSettings {
            format: Format::Json,
            level: "info".to_owned(),
        };
        let secret = crate::secret::Secret::new("xoxb-never-logged");
        tracing::subscriber::with_default(subscriber(&settings, out.clone(), false), || {
            let job = tracing::info_span!("job", job = "PL-1000");
            let _job = job.enter();
            let step = tracing::info_span!("step", step = "ensure_endpoint");
            let _step = step.enter();
            tracing::warn!(request_id = "req-1", token = ?secret, "step failed");
        });
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let line: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON line");
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["fields"]["message"], "step failed");
        assert_eq!(line["fields"]["request_id"], "req-1");
        assert_eq!(line["span"]["step"], "ensure_endpoint");
        assert_eq!(line["spans"][0]["job"], "PL-1000");
        assert!(!text.contains("xoxb-never-logged"), "{text}");
    }
}
