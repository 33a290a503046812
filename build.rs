//! Whether the PostgreSQL variants of the integration tests have a server to run on: without
//! `TEST_DATABASE_URL` they are compiled as ignored, so that a run reports them as not run
//! instead of as passed.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.trim().is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
