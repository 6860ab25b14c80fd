//! Helpers shared by the CLI contract tests: run the real binary, read its output.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};

/// A path relative to the `server` package directory.
pub fn path(relative: &str) -> String {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    p.push(relative);
    p.to_string_lossy().into_owned()
}

pub fn catalog(name: &str) -> String {
    path(&format!("../catalogs/{name}"))
}

pub fn fixture(name: &str) -> String {
    path(&format!("tests/fixtures/{name}"))
}

pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_configurator"))
        .args(args)
        .output()
        .expect("failed to run the configurator binary")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is not UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is not UTF-8")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("terminated by a signal")
}

pub fn json(out: &Output) -> Value {
    serde_json::from_str(stdout(out).trim()).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON value ({e}):\n{}\nstderr:\n{}",
            stdout(out),
            stderr(out)
        )
    })
}

pub fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .expect("expected a JSON object")
        .keys()
        .cloned()
        .collect()
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("expected a JSON array")
        .iter()
        .map(|s| s.as_str().expect("expected a string").to_string())
        .collect()
}

/// Runs a command that must fail with exit code 1 and returns its stderr.
pub fn fails(args: &[&str]) -> String {
    let out = run(args);
    let err = stderr(&out);
    assert_eq!(
        code(&out),
        1,
        "expected exit 1 for {args:?}; stderr:\n{err}"
    );
    assert!(!err.trim().is_empty(), "no message on stderr for {args:?}");
    err
}
