//! The console as a [`ChatPlatform`]: its sink prints cards and thread
//! messages; its intake is a foreground that reads lines until the input
//! ends, so the run ends with it. It has no section of its own to connect
//! (no secret, nothing to probe): `main` builds it from the command line.

use std::sync::{Arc, Mutex};

use tokio::io::AsyncBufRead;

use super::{ConsoleSettings, ConsoleSink, SharedOut};
use crate::chat::platform::{Attached, ChatPlatform, Core};
use crate::domain::ids::Platform;
use crate::i18n::Locale;
use crate::ports::chat::ChatSink;

type Input = Box<dyn AsyncBufRead + Send + Unpin>;

pub struct Console {
    settings: ConsoleSettings,
    sink: Arc<ConsoleSink>,
    out: SharedOut,
    /// Read once, by the one run that attaches the console.
    input: Mutex<Option<Input>>,
}

impl Console {
    /// A console reading `input` and printing to `out` in `locale`; `quiet`
    /// prints what a thread reader sees rather than a line per step.
    pub fn new(
        settings: &ConsoleSettings,
        input: impl AsyncBufRead + Send + Unpin + 'static,
        out: SharedOut,
        locale: Locale,
        quiet: bool,
    ) -> Self {
        Self {
            settings: settings.clone(),
            sink: Arc::new(
                ConsoleSink::new(out.clone(), locale)
                    .quiet(quiet)
                    .files_in(settings.exports.clone()),
            ),
            out,
            input: Mutex::new(Some(Box::new(input))),
        }
    }
}

impl ChatPlatform for Console {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    fn sink(&self) -> Arc<dyn ChatSink> {
        self.sink.clone()
    }

    fn attach(&self, core: &Core) -> anyhow::Result<Attached> {
        let input = self
            .input
            .lock()
            .ok()
            .and_then(|mut i| i.take())
            .ok_or_else(|| anyhow::anyhow!("the console's input is read by one run only"))?;
        let (core, out, settings) = (core.clone(), self.out.clone(), self.settings.clone());
        Ok(Attached {
            foreground: Some(Box::pin(async move {
                super::run(
                    &core.service,
                    &core.delivery,
                    input,
                    out,
                    &settings,
                    &core.intake,
                    core.default_locale,
                )
                .await
            })),
            ..Attached::default()
        })
    }
}
