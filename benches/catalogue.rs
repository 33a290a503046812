//! Catalogue search at scale: seeds 100,000 learning environments with 500,000 recognitions over
//! every municipality in force, then times catalogue searches over HTTP against the real service,
//! on SQLite and (when `BENCH_DATABASE_URL` or `TEST_DATABASE_URL` names a PostgreSQL server) on
//! PostgreSQL.
//!
//! Run with `cargo bench --bench catalogue`. Sizes can be changed with `BENCH_ENVIRONMENTS` and
//! `BENCH_RECOGNITIONS_PER_ENVIRONMENT`; `BENCH_SAMPLES` sets the timed requests per query,
//! `BENCH_BACKENDS` (`sqlite,postgres`) which backends run, and `BENCH_KEEP_DATABASE=1` keeps the
//! seeded PostgreSQL database for a look at query plans.
//!
//! `BENCH_SEED_ONLY=DATABASE_URL` only migrates and seeds that (empty) database and exits, printing
//! the most common unit; `scripts/bench` seeds its load-test databases this way.
//! `BENCH_ORGANISATIONS` sets how many organisations (60 of them education providers) are seeded.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use diesel::{prelude::*, sql_query, Connection, PgConnection};
use opinto_registry::{
    config::Config,
    db::{now, Db, DbConnection},
    environments::{
        dto::Sector,
        model::{EnvironmentChanges, LanguageRow, NewEnvironment, TaskRow},
    },
    organisations::{
        dto::OrganisationKind,
        model::{NewOrganisation, OrganisationChanges},
    },
    per_backend,
    recognitions::{dto::OwnerConsent, model::RecognitionRow},
    schema::{
        learning_environment_languages, learning_environment_tasks, learning_environments, municipalities,
        organisations, qualification_unit_links, recognitions,
    },
    startup::Application,
    text::normalize_for_search,
};

const REGION: &str = "04";
const PROVIDERS: usize = 60;

/// A small deterministic generator (xorshift64*), so every run seeds the same data.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit_interval(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn id(kind: u8, n: usize) -> String {
    // Time-ordered like UUIDv7 ids, so that id order is insertion order as in production.
    format!("0193a2b4-{kind:04x}-7000-8000-{n:012x}")
}

struct Units {
    /// (qualification, unit) pairs, most common first: unit popularity falls as 1/rank².
    pairs: Vec<(String, String)>,
    weights: Vec<f64>,
}

impl Units {
    fn pick(&self, random: &mut Random) -> usize {
        let total: f64 = self.weights.iter().sum();
        let mut target = random.unit_interval() * total;
        for (index, weight) in self.weights.iter().enumerate() {
            if target < *weight {
                return index;
            }
            target -= weight;
        }
        self.weights.len() - 1
    }
}

fn seed(conn: &mut DbConnection, environments: usize, per_environment: usize) -> QueryResult<(Units, usize)> {
    let workshops = env_usize("BENCH_ORGANISATIONS", 2_060)
        .saturating_sub(PROVIDERS)
        .max(1);
    let mut random = Random(0x5eed_1234_abcd_0001);
    let places: Vec<(String, Option<String>)> = municipalities::table
        .filter(municipalities::in_force.eq(true))
        .filter(municipalities::region_code.is_not_null())
        .select((municipalities::code, municipalities::region_code))
        .load(conn)?;
    let mut pairs: Vec<(String, String)> = qualification_unit_links::table
        .select((
            qualification_unit_links::qualification_code,
            qualification_unit_links::unit_code,
        ))
        .order((
            qualification_unit_links::unit_code,
            qualification_unit_links::qualification_code,
        ))
        .load(conn)?;
    pairs.dedup_by(|a, b| a.1 == b.1);
    let weights = (1..=pairs.len()).map(|rank| 1.0 / (rank * rank) as f64).collect();
    let units = Units { pairs, weights };
    let at = now();

    let organisation = |n: usize, kind: OrganisationKind, municipality: &str| NewOrganisation {
        id: id(1, n),
        columns: OrganisationChanges {
            kind,
            name_fi: format!("Organisaatio {n}"),
            name_sv: None,
            name_en: None,
            name_search: format!("organisaatio {n}"),
            business_id: None,
            oph_oid: None,
            municipality_code: municipality.to_owned(),
            website: None,
            email: None,
            phone: None,
            street_address: None,
            postal_code: None,
            post_office: None,
            active: true,
            version: 1,
            updated_at: at,
        },
        created_at: at,
    };
    let organisation_rows: Vec<NewOrganisation> = (0..workshops + PROVIDERS)
        .map(|n| {
            let kind = if n < workshops {
                OrganisationKind::Workshop
            } else {
                OrganisationKind::EducationProvider
            };
            organisation(n, kind, &places[n % places.len()].0)
        })
        .collect();
    for chunk in organisation_rows.chunks(1000) {
        per_backend!(conn, c => diesel::insert_into(organisations::table).values(chunk).execute(c)?);
    }

    let sectors = [
        Sector::FoodServices,
        Sector::CleaningServices,
        Sector::PropertyMaintenance,
        Sector::RecyclingAndRetail,
        Sector::Woodwork,
    ];
    let tasks = [
        "lounaan valmistus",
        "astiahuolto",
        "siivous",
        "kiinteistönhoito",
        "asiakaspalvelu",
        "kierrätystavaran käsittely",
    ];
    let mut recognition_count = 0;
    for start in (0..environments).step_by(1000) {
        let end = (start + 1000).min(environments);
        let mut rows = Vec::with_capacity(end - start);
        let mut task_rows = Vec::new();
        let mut language_rows = Vec::new();
        let mut recognition_rows = Vec::new();
        for n in start..end {
            let (municipality, region) = &places[random.below(places.len())];
            let environment_id = id(2, n);
            let task = tasks[n % tasks.len()];
            rows.push(NewEnvironment {
                id: environment_id.clone(),
                organisation_id: id(1, random.below(workshops)),
                columns: EnvironmentChanges {
                    name_fi: format!("Työpaja {n}"),
                    name_sv: None,
                    name_en: None,
                    description: Some("Oikeaa työtä oikeille asiakkaille.".to_owned()),
                    sector: sectors[n % sectors.len()],
                    street_address: format!("Työpajankatu {}", n % 200 + 1),
                    postal_code: "26100".to_owned(),
                    post_office: None,
                    municipality_code: municipality.clone(),
                    region_code: region.clone(),
                    latitude: Some(60.0 + random.unit_interval() * 10.0),
                    longitude: Some(20.0 + random.unit_interval() * 11.0),
                    capacity: Some(4),
                    accessibility: None,
                    contact_name: Some("Maija Meikäläinen".to_owned()),
                    contact_title: Some("työvalmentaja".to_owned()),
                    contact_email: None,
                    contact_phone: None,
                    contact_private: n % 2 == 0,
                    search_text: format!(
                        "tyopaja {n} | oikeaa tyota oikeille asiakkaille | {}",
                        normalize_for_search(task)
                    ),
                    active: true,
                    version: 1,
                    updated_at: at,
                },
                created_at: at,
            });
            task_rows.push(TaskRow {
                environment_id: environment_id.clone(),
                position: 1,
                task: task.to_owned(),
            });
            language_rows.push(LanguageRow {
                environment_id: environment_id.clone(),
                language: "fi".to_owned(),
            });
            let mut chosen: Vec<usize> = Vec::new();
            while chosen.len() < per_environment.min(units.pairs.len()) {
                let pick = units.pick(&mut random);
                if !chosen.contains(&pick) {
                    chosen.push(pick);
                }
            }
            for pick in chosen {
                let (qualification, unit) = &units.pairs[pick];
                recognition_rows.push(RecognitionRow {
                    id: id(3, recognition_count),
                    environment_id: environment_id.clone(),
                    region_code: region.clone(),
                    provider_organisation_id: id(1, workshops + random.below(PROVIDERS)),
                    qualification_code: qualification.clone(),
                    unit_code: unit.clone(),
                    valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default(),
                    valid_until: None,
                    in_force_until: None,
                    agreement_id: None,
                    note: None,
                    ended_on: None,
                    end_reason: None,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                    // Seeded as accepted by the environments' owners, as in a registry in use.
                    owner_consent: OwnerConsent::Accepted,
                });
                recognition_count += 1;
            }
        }
        per_backend!(conn, c => {
            diesel::insert_into(learning_environments::table).values(&rows).execute(c)?;
            diesel::insert_into(learning_environment_tasks::table).values(&task_rows).execute(c)?;
            diesel::insert_into(learning_environment_languages::table).values(&language_rows).execute(c)?;
            for chunk in recognition_rows.chunks(2000) {
                diesel::insert_into(recognitions::table).values(chunk).execute(c)?;
            }
        });
    }
    sql_query("ANALYZE").execute(conn)?;
    Ok((units, recognition_count))
}

struct Timing {
    label: String,
    matches: String,
    samples: Vec<Duration>,
}

impl Timing {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.samples.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index].as_secs_f64() * 1000.0
    }
}

async fn get(client: &awc::Client, url: &str) -> serde_json::Value {
    let mut response = client.get(url).send().await.expect("request is sent");
    assert!(response.status().is_success(), "{url}: {}", response.status());
    let body = response.body().limit(64 * 1024 * 1024).await.expect("body");
    serde_json::from_slice(&body).expect("JSON")
}

/// Times `samples` requests of `url` after a few to warm up. Each asks for a different day
/// (`recognised_on`), so that every answer is built from the database, not kept by the catalogue;
/// every seeded recognition is in force from 2020-01-01 on, so every day finds the same matches.
async fn time(client: &awc::Client, url: &str, samples: usize) -> Vec<Duration> {
    let first_day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    let on_day = |n: usize| format!("{url}&recognised_on={}", first_day + chrono::Days::new(n as u64));
    let warm_up = samples / 10 + 1;
    for n in 0..warm_up {
        get(client, &on_day(n)).await;
    }
    let mut timings = Vec::with_capacity(samples);
    for n in warm_up..warm_up + samples {
        let url = on_day(n);
        let started = Instant::now();
        get(client, &url).await;
        timings.push(started.elapsed());
    }
    timings
}

/// Walks every page of a search; returns the number of matches, pages and the last page's cursor.
async fn walk(client: &awc::Client, base: &str) -> (usize, usize, Option<String>) {
    let (mut matches, mut pages, mut cursor, mut last) = (0, 0, None::<String>, None);
    loop {
        let url = match &cursor {
            Some(cursor) => format!("{base}&cursor={cursor}"),
            None => base.to_owned(),
        };
        let page = get(client, &url).await;
        matches += page["items"].as_array().map_or(0, Vec::len);
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => {
                last = cursor.take();
                cursor = Some(next.to_owned());
            }
            None => return (matches, pages, cursor.or(last)),
        }
    }
}

async fn run(
    backend: &str,
    database_url: &str,
    environments: usize,
    per_environment: usize,
    samples: usize,
) -> Vec<Timing> {
    let files = tempfile::tempdir().expect("temporary directory");
    let mut config = Config::for_database(database_url, files.path());
    config.bind_addr = "127.0.0.1:0".into();
    let application = Application::build(config).await.expect("the service starts");
    let base = format!("http://127.0.0.1:{}", application.port());
    actix_web::rt::spawn(application.run_until_stopped());

    let db = Db::connect(database_url, 1).expect("database");
    let (units, seeded) = seed_timed(&db, environments, per_environment);
    println!("{backend}: {seeded}");

    let client = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
    let common = &units.pairs[0].1;
    let rare = &units.pairs[units.pairs.len() - 1].1;
    let mut timings = Vec::new();
    for (name, unit) in [("common", common), ("rare", rare)] {
        let search =
            format!("{base}/v1/catalogue/learning-environments?unit={unit}&region={REGION}&limit=50");
        let (matches, pages, deepest) = walk(&client, &search).await;
        timings.push(Timing {
            label: format!("{name} unit {unit}, region {REGION}, first page"),
            matches: format!("{matches} in {pages} pages"),
            samples: time(&client, &search, samples).await,
        });
        if let Some(cursor) = deepest {
            timings.push(Timing {
                label: format!("{name} unit {unit}, region {REGION}, last page ({pages})"),
                matches: format!("{matches} in {pages} pages"),
                samples: time(&client, &format!("{search}&cursor={cursor}"), samples).await,
            });
        }
    }
    let near = format!(
        "{base}/v1/catalogue/learning-environments?unit={common}&near=61.1272,21.5112&radius_km=50&limit=50"
    );
    let (matches, pages, _) = walk(&client, &near).await;
    timings.push(Timing {
        label: format!("common unit {common}, within 50 km, nearest first"),
        matches: format!("{matches} in {pages} pages"),
        samples: time(&client, &near, samples).await,
    });
    let by_unit = format!("{base}/v1/catalogue/units/{common}/learning-environments?region={REGION}");
    timings.push(Timing {
        label: format!("common unit {common} by municipality, region {REGION}"),
        matches: "counts".to_owned(),
        samples: time(&client, &by_unit, samples).await,
    });
    timings
}

fn print(backend: &str, timings: &[Timing]) {
    println!("\n{backend}");
    println!("| query | matches | p50 ms | p90 ms | p99 ms |");
    println!("|---|---|---:|---:|---:|");
    for timing in timings {
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} |",
            timing.label,
            timing.matches,
            timing.percentile(0.5),
            timing.percentile(0.9),
            timing.percentile(0.99)
        );
    }
}

/// Migrates and seeds one database, for a load test that runs the service itself.
fn seed_only(database_url: &str, environments: usize, per_environment: usize) {
    let files = tempfile::tempdir().expect("temporary directory");
    let config = Config::for_database(database_url, files.path());
    let key = opinto_registry::startup::personal_data_key(&config).expect("the personal data key");
    // One connection: a spare one being made as the process exits can crash it (see the CLI).
    let db = opinto_registry::startup::prepare_database(&config, &key, 1).expect("the database is prepared");
    let (units, seeded) = seed_timed(&db, environments, per_environment);
    println!("{seeded}; most common unit {}", units.pairs[0].1);
}

/// Seeds in one transaction; returns the units and a line saying what was seeded and how fast.
fn seed_timed(db: &Db, environments: usize, per_environment: usize) -> (Units, String) {
    let mut conn = db.get().expect("connection");
    let started = Instant::now();
    let (units, recognitions) = conn
        .transaction(|conn| seed(conn, environments, per_environment))
        .expect("seeded");
    let seeded = format!(
        "seeded {environments} environments and {recognitions} recognitions in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (units, seeded)
}

#[actix_web::main]
async fn main() {
    // `cargo bench` passes `--bench`; other arguments (filters) are not used.
    let environments = env_usize("BENCH_ENVIRONMENTS", 100_000);
    let per_environment = env_usize("BENCH_RECOGNITIONS_PER_ENVIRONMENT", 5);
    let samples = env_usize("BENCH_SAMPLES", 200);
    if let Ok(database_url) = std::env::var("BENCH_SEED_ONLY") {
        seed_only(&database_url, environments, per_environment);
        return;
    }

    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_owned());
    let dir = tempfile::tempdir().expect("temporary directory");
    if backends.contains("sqlite") {
        let sqlite_url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let sqlite = run("SQLite", &sqlite_url, environments, per_environment, samples).await;
        print("SQLite", &sqlite);
    }

    let admin_url = std::env::var("BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .ok()
        .filter(|url| !url.is_empty() && backends.contains("postgres"));
    match admin_url {
        Some(admin_url) => {
            let name = format!("bench_{}", std::process::id());
            let mut admin = PgConnection::establish(&admin_url).expect("PostgreSQL is reachable");
            sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut admin)
                .expect("bench database");
            let (server, _) = admin_url.rsplit_once('/').expect("a database URL");
            let postgres = run(
                "PostgreSQL",
                &format!("{server}/{name}"),
                environments,
                per_environment,
                samples,
            )
            .await;
            print("PostgreSQL", &postgres);
            if std::env::var("BENCH_KEEP_DATABASE").is_ok_and(|keep| keep == "1") {
                println!("kept the database {name}");
            } else {
                sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .expect("bench database dropped");
            }
        }
        None => {
            println!("\nPostgreSQL skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a server URL")
        }
    }
}
