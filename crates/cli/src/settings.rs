//! Settings: the declared ones (`claims_server::settings`) as flags and environment
//! variables of the commands that take them, and how those, the settings file and the
//! defaults combine.
//!
//! Each setting comes from, in order of precedence: its flag, its `SSG_CLAIMS_*`
//! environment variable, the file `--config` names, and finally its declared default. Clap
//! reads the first two (checked by the declaration); [`resolve`] puts in the file's values
//! where clap found none, checks them against the same declaration, and remembers where
//! every value came from for `ssg-claims config show`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use claims_server::settings::{Group, SETTINGS, Setting, Settings};
use clap::builder::{PossibleValuesParser, ValueParser};
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};

use crate::database;

/// Settings of commands that open the database.
pub const DATABASE: u8 = 1;
/// Settings of the HTTP service (`serve`, `demo`).
pub const HTTP: u8 = 2;
/// Settings of the log, which every command takes.
pub const LOG: u8 = 4;

fn bit(group: Group) -> u8 {
    match group {
        Group::Database => DATABASE,
        Group::Http => HTTP,
        Group::Log => LOG,
    }
}

/// The flags of the settings of `GROUPS` (a sum of [`DATABASE`], [`HTTP`], [`LOG`]), as a
/// command takes them. It holds nothing: [`resolve`] reads the values once the whole
/// command line is parsed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags<const GROUPS: u8>;

/// The flag (and environment variable) of one declared setting.
fn arg(setting: &'static Setting) -> Arg {
    let default = setting.default_toml();
    let mut arg = Arg::new(setting.id)
        .long(setting.flag())
        .env(setting.env())
        .help(setting.description())
        .value_name(setting.id.to_ascii_uppercase())
        .default_value(default.trim_matches('"').to_owned())
        // The log's and the database's settings may come before the subcommand or after it.
        .global(matches!(setting.group, Group::Log | Group::Database));
    arg = if setting.choices.is_empty() {
        arg.value_parser(ValueParser::new(move |text: &str| {
            Settings::default()
                .set(setting.id, text)
                .map(|()| text.to_owned())
        }))
    } else {
        arg.value_parser(PossibleValuesParser::new(setting.choices))
    };
    if setting.id == "database" {
        // A PostgreSQL URL may hold a password: `--help` does not show the variable's value.
        arg = arg.hide_env_values(true);
    }
    arg
}

impl<const GROUPS: u8> Args for Flags<GROUPS> {
    fn augment_args(command: Command) -> Command {
        command.args(
            SETTINGS
                .iter()
                .filter(|setting| bit(setting.group) & GROUPS != 0)
                .map(arg),
        )
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

impl<const GROUPS: u8> FromArgMatches for Flags<GROUPS> {
    fn from_arg_matches(_: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(Flags)
    }

    fn update_from_arg_matches(&mut self, _: &ArgMatches) -> Result<(), clap::Error> {
        Ok(())
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(String),
    Environment(String),
    File,
    Default,
}

/// One setting in effect, for `config show`.
#[derive(Debug, Clone)]
pub struct Shown {
    /// `section.key`, as in the file.
    pub key: &'static str,
    /// The value as TOML, secrets redacted.
    pub value: String,
    pub source: Source,
}

/// The settings in effect and where each came from.
#[derive(Debug, Default)]
pub struct Effective {
    pub file: Option<PathBuf>,
    pub shown: Vec<Shown>,
}

/// The settings file's values, by key, as text, each checked against its declaration.
fn read_file(path: &Path) -> anyhow::Result<BTreeMap<&'static str, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    let table: toml::Table = toml::from_str(&text)
        .with_context(|| format!("the config file {} is not valid TOML", path.display()))?;
    let in_file = |key: &str| format!("{key} in the config file {}", path.display());
    let mut values = BTreeMap::new();
    for (section, entries) in &table {
        let toml::Value::Table(entries) = entries else {
            return Err(anyhow!(
                "{} is not a section; the file has sections like [http]",
                in_file(section)
            ));
        };
        for (name, value) in entries {
            let key = format!("{section}.{name}");
            let setting = SETTINGS
                .iter()
                .find(|setting| setting.key == key)
                .ok_or_else(|| anyhow!("{} is not a setting", in_file(&key)))?;
            let text = match value {
                toml::Value::String(text) => text.clone(),
                toml::Value::Integer(number) => number.to_string(),
                toml::Value::Boolean(flag) => flag.to_string(),
                other => {
                    return Err(anyhow!(
                        "{} is {other}; it must be a string, a whole number or true/false",
                        in_file(&key)
                    ));
                }
            };
            Settings::default()
                .set(setting.id, &text)
                .map_err(|refused| anyhow!("{} is not valid: {refused}", in_file(&key)))?;
            values.insert(setting.key, text);
        }
    }
    Ok(values)
}

/// The deepest subcommand's matches: where a command's own flags are.
fn leaf(matches: &ArgMatches) -> &ArgMatches {
    let mut leaf = matches;
    while let Some((_, deeper)) = leaf.subcommand() {
        leaf = deeper;
    }
    leaf
}

/// The settings the command line `matches` asks for, with the file `config` names (if any)
/// under its flags and environment, and where each value came from.
pub fn resolve(
    matches: &ArgMatches,
    config: Option<&Path>,
) -> anyhow::Result<(Settings, Effective)> {
    let file = match config {
        Some(path) => read_file(path)?,
        None => BTreeMap::new(),
    };
    let leaf = leaf(matches);
    let mut settings = Settings::default();
    let mut effective = Effective {
        file: config.map(Path::to_path_buf),
        shown: Vec::new(),
    };
    for setting in SETTINGS {
        // Only the settings this command takes.
        let Ok(Some(given)) = leaf.try_get_one::<String>(setting.id) else {
            continue;
        };
        let source = match leaf.value_source(setting.id) {
            Some(ValueSource::CommandLine) => Source::Flag(format!("--{}", setting.flag())),
            Some(ValueSource::EnvVariable) => Source::Environment(setting.env()),
            _ => match file.get(setting.key) {
                Some(text) => {
                    settings
                        .set(setting.id, text)
                        .map_err(|refused| anyhow!("{}: {refused}", setting.key))?;
                    Source::File
                }
                None => Source::Default,
            },
        };
        if matches!(source, Source::Flag(_) | Source::Environment(_)) {
            settings
                .set(setting.id, given)
                .map_err(|refused| anyhow!("{}: {refused}", setting.key))?;
        }
        let mut value = settings
            .toml(setting.id)
            .expect("every declared setting has a value");
        if setting.id == "database" {
            value = quoted(&database::redacted(&settings.database));
        }
        effective.shown.push(Shown {
            key: setting.key,
            value,
            source,
        });
    }
    Ok((settings, effective))
}

/// `text` as a TOML string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The settings in effect as a TOML document that can serve as a config file (secrets
/// redacted), each value followed by where it came from.
pub fn render(effective: &Effective) -> String {
    let mut out = String::from(
        "# Settings in effect. Each comes from its flag, else its SSG_CLAIMS_* environment\n\
         # variable, else the config file, else its default. Secrets are shown as ***.\n",
    );
    if let Some(file) = &effective.file {
        let _ = writeln!(out, "# Config file: {}", file.display());
    }
    let mut section = "";
    for shown in &effective.shown {
        let (name, key) = shown.key.split_once('.').expect("keys are section.key");
        if name != section {
            let _ = write!(out, "\n[{name}]\n");
            section = name;
        }
        let source = match &shown.source {
            Source::Flag(flag) => format!("flag {flag}"),
            Source::Environment(variable) => format!("environment {variable}"),
            Source::File => "config file".to_owned(),
            Source::Default => "default".to_owned(),
        };
        let _ = writeln!(out, "{key} = {}  # {source}", shown.value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_bad_values_in_the_file_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        for (text, named) in [
            (
                "[http]\nlisten = \"127.0.0.1:1\"\nlistn = 1\n",
                "http.listn",
            ),
            ("[htp]\nx = 1\n", "htp.x"),
            ("[http]\nmax_rows = 0\n", "from 1 to 10000000"),
            ("[http]\nmax_rows = true\n", "whole number"),
        ] {
            std::fs::write(&path, text).unwrap();
            let error = read_file(&path).unwrap_err().to_string();
            assert!(error.contains(named), "{error}");
            assert!(error.contains("f.toml"), "{error}");
        }
    }
}
