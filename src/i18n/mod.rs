//! Every sentence a person reads in chat or on the console comes from here:
//! Fluent catalogues in `locales/<locale>/bot.ftl`, compiled into the
//! binary, one per language the bot speaks.
//!
//! Two ways to say something:
//! - `t!(locale, "key", name = value, …)` renders at once, where the
//!   locale is known (a card for a job, a reply to a person);
//! - `text!("key", name = value, …)` keeps the key and its arguments as a
//!   [`Text`], for code that cannot know who will read it (the parser's
//!   problems), rendered later with [`Text::render`].
//!
//! A key missing from a catalogue falls back to English, then to the key
//! itself: never a panic. `tests` below fail the build's tests when a key
//! the code names is missing from either catalogue, or a message's
//! placeables differ between them.

pub mod leaks;

use std::fmt;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// A language the bot speaks. Stored and configured by its tag (`en`,
/// `zh-CN`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    #[default]
    En,
    ZhCn,
}

impl Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.tag())
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(d)?;
        tag.parse().map_err(serde::de::Error::custom)
    }
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The catalogue for a BCP 47 tag as platforms send them (`en-US`,
    /// `en-GB`, `zh-CN`, `zh`, `zh-Hans`): `None` for a language the bot
    /// does not speak, so the caller falls back to its configured one.
    /// Traditional Chinese (`zh-TW`, `zh-Hant`) is not simplified Chinese.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
        let mut parts = tag.split('-');
        match parts.next()? {
            "en" => Some(Locale::En),
            "zh" => match parts.next() {
                None | Some("cn" | "hans" | "sg") => Some(Locale::ZhCn),
                Some(_) => None,
            },
            _ => None,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../../locales/en/bot.ftl"),
            Locale::ZhCn => include_str!("../../locales/zh-CN/bot.ftl"),
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl std::str::FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Locale::from_tag(s)
            .ok_or_else(|| format!("{s:?} is not a language the bot speaks: use en or zh-CN"))
    }
}

/// A value for a placeable. Numbers are kept as numbers so that the
/// catalogues can choose plural forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arg {
    Number(i64),
    Text(String),
    /// Another catalogue message, rendered in the same language.
    Message(String),
    /// A whole [`Text`], rendered in the same language.
    Nested(Box<Text>),
    /// Several, rendered and joined by the catalogue's `list-separator`.
    List(Vec<Text>),
}

impl Arg {
    pub fn number(n: impl TryInto<i64>) -> Arg {
        Arg::Number(n.try_into().unwrap_or(i64::MAX))
    }
}

/// Turns a macro argument into an [`Arg`]: integers become numbers, all
/// else its `Display`.
pub trait ToArg {
    fn to_arg(&self) -> Arg;
}

macro_rules! numeric_args {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Arg {
                Arg::number(*self)
            }
        }
    )*};
}
numeric_args!(u8, u16, u32, u64, usize, i32, i64);

impl<T: fmt::Display + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.to_string())
    }
}

impl ToArg for String {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.clone())
    }
}

impl ToArg for Arg {
    fn to_arg(&self) -> Arg {
        self.clone()
    }
}

impl ToArg for Text {
    fn to_arg(&self) -> Arg {
        Arg::Nested(Box::new(self.clone()))
    }
}

/// Something to say, not yet in a language: a catalogue key and its
/// arguments. Stored and sent as is; rendered by whoever knows the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub key: String,
    #[serde(default)]
    pub args: Vec<(String, Arg)>,
}

impl Text {
    /// Words that are not ours to translate (a provider's error message,
    /// text stored before the catalogues), shown as they are.
    pub fn verbatim(text: impl Into<String>) -> Self {
        Self {
            key: "verbatim".to_owned(),
            args: vec![("text".to_owned(), Arg::Text(text.into()))],
        }
    }

    pub fn new(key: &str, args: Vec<(String, Arg)>) -> Self {
        Self {
            key: key.to_owned(),
            args,
        }
    }

    pub fn render(&self, locale: Locale) -> String {
        let args: Vec<(&str, Arg)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        render(locale, &self.key, &args)
    }

    /// Several texts as one, joined by the reader's list separator.
    pub fn list(items: Vec<Text>) -> Self {
        Self {
            key: "list".to_owned(),
            args: vec![("items".to_owned(), Arg::List(items))],
        }
    }
}

mod keys {
    include!(concat!(env!("OUT_DIR"), "/catalogue_keys.rs"));
}

/// Whether the catalogues hold a message `key` (the list is written by
/// `build.rs` from the catalogues themselves). A `const fn`, so that `t!`
/// and `text!` check their key when the crate compiles.
pub const fn has_key(key: &str) -> bool {
    let key = key.as_bytes();
    let mut i = 0;
    while i < keys::KEYS.len() {
        let candidate = keys::KEYS[i].as_bytes();
        if candidate.len() == key.len() {
            let mut j = 0;
            while j < key.len() && candidate[j] == key[j] {
                j += 1;
            }
            if j == key.len() {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// `t!(locale, "key", name = value, …)`: the message in that language. A
/// key the catalogues lack does not compile.
#[macro_export]
macro_rules! t {
    ($locale:expr, $key:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        const _: () = assert!($crate::i18n::has_key($key), concat!("no message `", $key, "` in locales/*/bot.ftl"));
        $crate::i18n::render(
            $locale,
            $key,
            &[$((stringify!($name), { use $crate::i18n::ToArg as _; (&$value).to_arg() })),*],
        )
    }};
}

/// `text!("key", name = value, …)`: the message, to be rendered later. A
/// key the catalogues lack does not compile.
#[macro_export]
macro_rules! text {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        const _: () = assert!($crate::i18n::has_key($key), concat!("no message `", $key, "` in locales/*/bot.ftl"));
        $crate::i18n::Text::new(
            $key,
            vec![$((stringify!($name).to_owned(), { use $crate::i18n::ToArg as _; (&$value).to_arg() })),*],
        )
    }};
}

struct Catalogue {
    bundles: Vec<(Locale, FluentBundle<FluentResource>)>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    bundles: Locale::ALL.iter().map(|&l| (l, bundle(l))).collect(),
});

fn bundle(locale: Locale) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(locale.source().to_owned()).unwrap_or_else(|(partial, errors)| {
        tracing::error!(locale = %locale, errors = errors.len(), "catalogue has syntax errors; using what parsed");
        partial
    });
    let id = locale
        .tag()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks (U+2068/U+2069) around every placeable would end up
    // in chat messages and in ids people copy from them.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(locale = %locale, errors = errors.len(), "catalogue has duplicate messages");
    }
    bundle
}

impl Catalogue {
    fn bundle(&self, locale: Locale) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == locale)
            .map(|(_, b)| b)
    }

    fn render(&self, locale: Locale, key: &str, args: &[(&str, Arg)]) -> Option<String> {
        let bundle = self.bundle(locale)?;
        let pattern = bundle.get_message(key)?.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Number(n) => FluentValue::from(*n),
                Arg::Text(s) => FluentValue::from(s.clone()),
                Arg::Message(key) => FluentValue::from(render(locale, key, &[])),
                Arg::Nested(text) => FluentValue::from(text.render(locale)),
                Arg::List(items) => {
                    let separator = render(locale, "list-separator", &[]);
                    let rendered: Vec<String> = items.iter().map(|t| t.render(locale)).collect();
                    FluentValue::from(rendered.join(&separator))
                }
            };
            fluent_args.set(*name, value);
        }
        let mut errors = Vec::new();
        let out = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, locale = %locale, errors = ?errors, "message rendered with errors");
        }
        Some(out.into_owned())
    }
}

/// The message `key` in `locale`, in English when that catalogue lacks
/// it, or the key itself when both do.
pub fn render(locale: Locale, key: &str, args: &[(&str, Arg)]) -> String {
    CATALOGUE
        .render(locale, key, args)
        .or_else(|| {
            tracing::warn!(key, locale = %locale, "message missing from the catalogue");
            CATALOGUE.render(Locale::En, key, args)
        })
        .unwrap_or_else(|| key.to_owned())
}

#[cfg(test)]
mod tests;
