//! The two backends' migrations: one schema, written twice only where the dialects differ.

/// Migrations are written once for both backends wherever the SQL can be the same: only these
/// need a dialect of their own (types, triggers). A new migration that differs must say so here.
#[test]
fn migrations_differ_between_backends_only_where_they_must() {
    const DIALECT_SPECIFIC: [&str; 5] = [
        "2026-11-23-000001_foundation",
        "2026-11-23-000002_access",
        "2026-11-24-000010_catalogue_version",
        "2026-11-30-000013_consent",
        "2026-12-07-000022_client_changes",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |backend: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root.join(backend))
            .expect("migrations")
            .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names("sqlite"),
        names("postgres"),
        "every migration exists for both backends"
    );
    for name in names("sqlite") {
        let same = ["up.sql", "down.sql"].iter().all(|file| {
            std::fs::read(root.join("sqlite").join(&name).join(file)).expect("a file")
                == std::fs::read(root.join("postgres").join(&name).join(file)).expect("a file")
        });
        assert_eq!(
            same,
            !DIALECT_SPECIFIC.contains(&name.as_str()),
            "{name}: identical SQL for both backends unless listed as dialect-specific"
        );
    }
}
