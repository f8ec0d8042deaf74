//! Settings of `qcdc serve` from three places, strongest first: command-line
//! flags, `QCDC_*` environment variables, an optional TOML file (`--config FILE`),
//! then the built-in defaults. Clap reads flags and variables; the file's values
//! are added as flags for every setting that neither a flag nor a variable gave,
//! so one parser checks every value whatever its origin.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// Where a setting's value came from.
fn source_name(m: &ArgMatches, id: &str, from_file: &BTreeSet<String>) -> &'static str {
    if from_file.contains(id) {
        return "tệp cấu hình";
    }
    match m.value_source(id) {
        Some(ValueSource::CommandLine) => "tham số dòng lệnh",
        Some(ValueSource::EnvVariable) => "biến môi trường",
        Some(ValueSource::DefaultValue) => "mặc định",
        _ => "chưa đặt",
    }
}

/// Hides the password of a URL (`smtp://user:pass@host` → `smtp://user:***@host`).
fn redact(v: &str) -> String {
    if let (Some(scheme), Some(at)) = (v.find("://"), v.rfind('@')) {
        let auth = &v[scheme + 3..at];
        if let Some(colon) = auth.find(':') {
            return format!("{}{}:***{}", &v[..scheme + 3], &auth[..colon], &v[at..]);
        }
    }
    v.to_string()
}

/// Ids of the settings a configuration file may hold: the global options and
/// those of `serve` that take a value or are switches, less `config` itself.
fn settings() -> Vec<clap::Arg> {
    let cmd = Cli::command();
    let serve: Vec<clap::Arg> = cmd
        .find_subcommand("serve")
        .map(|s| s.get_arguments().cloned().collect())
        .unwrap_or_default();
    cmd.get_arguments()
        .cloned()
        .chain(serve)
        .filter(|a| a.get_long().is_some())
        .filter(|a| !["config", "show_config", "help", "version"].contains(&a.get_id().as_str()))
        .collect()
}

/// Parses the command line; for `serve --config FILE`, the file's settings fill in
/// what flags and environment variables left at their defaults.
pub fn parse(args: Vec<OsString>) -> Result<Cli> {
    let m = Cli::command()
        .try_get_matches_from(&args)
        .unwrap_or_else(|e| e.exit());
    let Some(("serve", sub)) = m.subcommand() else {
        return Ok(Cli::from_arg_matches(&m)?);
    };
    let mut from_file = BTreeSet::new();
    let mut all = args.clone();
    if let Some(path) = sub.get_one::<PathBuf>("config") {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("không đọc được tệp cấu hình {}", path.display()))?;
        let table: toml::Table = toml::from_str(&text).with_context(|| {
            format!(
                "tệp cấu hình {} không đúng cú pháp TOML (TOML syntax error)",
                path.display()
            )
        })?;
        let known = settings();
        for (key, value) in &table {
            let Some(arg) = known.iter().find(|a| a.get_id() == key.as_str()) else {
                bail!(
                    "tệp cấu hình {}: không có thiết lập «{key}» (unknown setting); các thiết lập: {}",
                    path.display(),
                    known
                        .iter()
                        .map(|a| a.get_id().as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            };
            // global options are propagated into the subcommand's matches
            let given = matches!(
                sub.value_source(key),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            );
            if given {
                continue;
            }
            let long = arg.get_long().unwrap_or(key);
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => bail!(
                    "tệp cấu hình {}: «{key}» phải là chuỗi, số nguyên hoặc true/false",
                    path.display()
                ),
            };
            if matches!(arg.get_action(), ArgAction::SetTrue) {
                match value {
                    toml::Value::Boolean(true) => all.push(format!("--{long}").into()),
                    toml::Value::Boolean(false) => {}
                    _ => bail!(
                        "tệp cấu hình {}: «{key}» phải là true hoặc false",
                        path.display()
                    ),
                }
            } else {
                all.push(format!("--{long}={text}").into());
            }
            from_file.insert(key.clone());
        }
    }
    let m = Cli::command()
        .try_get_matches_from(&all)
        .unwrap_or_else(|e| {
            if !from_file.is_empty() {
                eprintln!("(một số giá trị lấy từ tệp cấu hình: {from_file:?})");
            }
            e.exit()
        });
    let mut cli = Cli::from_arg_matches(&m)?;
    if let Some(("serve", sub)) = m.subcommand() {
        cli.settings = settings()
            .iter()
            .map(|a| {
                let id = a.get_id().as_str();
                let value = sub
                    .get_raw(id)
                    .map(|v| {
                        v.map(|s| redact(&s.to_string_lossy()))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default();
                (
                    id.to_string(),
                    value,
                    source_name(sub, id, &from_file).to_string(),
                )
            })
            .collect();
    }
    Ok(cli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(
            redact("smtp://bdv:bi-mat@mail.example.vn:587"),
            "smtp://bdv:***@mail.example.vn:587"
        );
        assert_eq!(redact("smtp://mail:25"), "smtp://mail:25");
        assert_eq!(redact("127.0.0.1:8080"), "127.0.0.1:8080");
    }
}
