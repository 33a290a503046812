//! The command line as scripts use it: results on standard output, logs on standard error.

use crate::helpers::{command_line, succeeds};

#[test]
fn a_new_clients_json_is_alone_on_standard_output() {
    let data = tempfile::tempdir().expect("a temporary directory");
    let output = succeeds(
        command_line(&["clients", "create", "--admin", "--name", "Script"])
            .env("DATA_DIR", data.path())
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "info"),
    );
    let client: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(client["name"], "Script");
    assert!(client["client_secret"]
        .as_str()
        .is_some_and(|secret| !secret.is_empty()));
    // The migrations were logged, and not among the results.
    assert!(String::from_utf8_lossy(&output.stderr).contains("applied migrations"));
}
