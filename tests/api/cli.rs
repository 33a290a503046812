//! The command line as scripts use it: results on standard output, logs on standard error.

use crate::{
    backend_tests,
    helpers::{command_line, succeeds, TestApp},
};

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

/// A command exits with success after its work, every time: a pool that was still making a spare
/// connection over TLS when the process exited made about one run in five crash on PostgreSQL.
async fn commands_exit_cleanly_every_time(app: TestApp) {
    let crashed: Vec<_> = (0..40)
        .map(|_| {
            command_line(&["clients", "list"])
                .env("DATABASE_URL", &app.database_url)
                .env("DATA_DIR", app.files_dir())
                .output()
                .expect("the command runs")
        })
        .filter(|output| !output.status.success())
        .map(|output| format!("{}: {}", output.status, String::from_utf8_lossy(&output.stderr)))
        .collect();
    assert!(
        crashed.is_empty(),
        "{} of 40 runs failed: {crashed:?}",
        crashed.len()
    );
}

backend_tests!(commands_exit_cleanly_every_time);
