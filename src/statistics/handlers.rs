//! HTTP endpoints of statistics: JSON, CSV (one table) or a printable HTML report.

use actix_web::{
    get,
    http::header::{self, Accept, Header},
    web, HttpRequest, HttpResponse,
};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{
    csv::{cross_table_csv, table_csv, CsvLocale, CsvStyle},
    programme::{self, ProgrammeStatistics, ProgrammeTable},
    regional::{self, RegionStatistics, RegionTable},
    report::{report_html, report_pdf, ReportHeading},
    tables::{CrossTable, Table},
};
use crate::{
    auth::Caller,
    db::Db,
    error::ApiError,
    extract::Query,
    locale::Language,
    programmes::{domain::NOT_FOUND as PROGRAMME_NOT_FOUND, policy, repo as programmes},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
    Html,
    Pdf,
}

/// How every report is asked for: its form, language and CSV conventions.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The representation, for links where `Accept` cannot be set; overrides `Accept`.
    #[param(inline)]
    pub format: Option<Format>,
    /// The language of titles and labels (JSON, CSV, HTML and PDF alike); by default the first of
    /// `fi`, `sv`, `en` that `Accept-Language` names, else Finnish.
    #[param(inline)]
    pub lang: Option<Language>,
    /// CSV conventions: `fi` (byte order mark, `;`, decimal comma: what Excel opens in Finland)
    /// or `en` (RFC 4180, `,`, decimal point: for programs). By default `fi` for a Finnish- or
    /// Swedish-language request (`lang` or `Accept-Language`), else `en`.
    #[param(inline)]
    pub locale: Option<CsvLocale>,
}

/// A programme report's query. Each report has its own enumeration of tables, so that the
/// document lists the names that report has (utoipa cannot derive parameters of a generic type).
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeStatisticsQuery {
    /// The table to give as CSV (required with CSV).
    pub table: Option<ProgrammeTable>,
    /// Report one funding period: only days from this one on (within the programme's period).
    /// Coaching periods that overlap the days reported, units completed and recognitions started
    /// on them are counted.
    pub from: Option<NaiveDate>,
    /// Report one funding period: only days until this one (within the programme's period).
    pub until: Option<NaiveDate>,
}

/// A regional report's query (see [`ProgrammeStatisticsQuery`]).
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct RegionStatisticsQuery {
    /// The table to give as CSV (required with CSV).
    pub table: Option<RegionTable>,
}

const AVAILABLE: &str = "application/json, text/csv, text/html, application/pdf";

/// The representation asked for: `format=` first, then the most preferred acceptable `Accept` type.
fn negotiate(request: &HttpRequest, format: Option<Format>) -> Result<Format, ApiError> {
    if let Some(format) = format {
        return Ok(format);
    }
    let Ok(accept) = Accept::parse(request) else {
        return Ok(Format::Json);
    };
    if accept.is_empty() {
        return Ok(Format::Json);
    }
    for mime in accept.ranked() {
        match (mime.type_().as_str(), mime.subtype().as_str()) {
            ("application", "json") | ("application", "*") | ("*", "*") => return Ok(Format::Json),
            ("text", "csv") => return Ok(Format::Csv),
            ("text", "html") | ("text", "*") => return Ok(Format::Html),
            ("application", "pdf") => return Ok(Format::Pdf),
            _ => {}
        }
    }
    Err(ApiError::NotAcceptable {
        available: AVAILABLE.to_owned(),
    })
}

/// What a report request settles before anything is counted.
struct Asked {
    format: Format,
    language: Language,
    csv: CsvStyle,
}

impl Asked {
    fn of(request: &HttpRequest, query: &ReportQuery) -> Result<Self, ApiError> {
        let format = negotiate(request, query.format)?;
        let spoken = query.lang.or_else(|| Language::preferred(request));
        let locale = query.locale.unwrap_or(match spoken {
            Some(Language::Fi | Language::Sv) => CsvLocale::Fi,
            _ => CsvLocale::En,
        });
        let csv_language = spoken.unwrap_or(match locale {
            CsvLocale::Fi => Language::Fi,
            CsvLocale::En => Language::En,
        });
        Ok(Self {
            format,
            // CSV headers and labels are in one language: the file's.
            language: if format == Format::Csv {
                csv_language
            } else {
                spoken.unwrap_or_default()
            },
            csv: CsvStyle {
                locale,
                language: csv_language,
            },
        })
    }
}

/// One table as CSV, named by `table=`.
fn csv_of(
    tables: &[Table],
    cross_tables: &[CrossTable],
    (names, wanted): (&[&str], Option<&str>),
    style: CsvStyle,
) -> Result<String, ApiError> {
    let unknown = || {
        ApiError::validation(
            "table",
            "unknown_table",
            format!("CSV gives one table at a time: name one of {}", names.join(", ")),
        )
    };
    let wanted = wanted.ok_or_else(unknown)?;
    if let Some(table) = tables.iter().find(|table| table.name == wanted) {
        return Ok(table_csv(table, style));
    }
    cross_tables
        .iter()
        .find(|table| table.name == wanted)
        .map(|table| cross_table_csv(table, style))
        .ok_or_else(unknown)
}

/// An answer in the form asked for; `report` gives the heading of the HTML and PDF forms.
fn respond(
    format: Format,
    json: impl serde::Serialize,
    csv: impl FnOnce() -> Result<(String, String), ApiError>,
    (report, tables, cross_tables): (ReportHeading, &[Table], &[CrossTable]),
) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept, Accept-Language"));
    Ok(match format {
        Format::Json => response.json(json),
        Format::Csv => {
            let (file_name, body) = csv()?;
            response
                .content_type("text/csv; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}.csv\""),
                ))
                .body(body)
        }
        Format::Html => response
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_LANGUAGE, report.language.tag()))
            .body(report_html(&report, tables, cross_tables)),
        Format::Pdf => {
            let document = report_pdf(&report, tables, cross_tables)
                .map_err(|error| ApiError::internal(format!("embedding the font failed: {error:?}")))?;
            response
                .content_type("application/pdf")
                .insert_header((header::CONTENT_LANGUAGE, report.language.tag()))
                .body(document)
        }
    })
}

/// The heading of a programme's report: its name, its period, the period reported when narrower,
/// and the day counted on.
fn programme_heading(statistics: &ProgrammeStatistics, language: Language) -> ReportHeading {
    let date = |day| language.date(day);
    let say = |fi, sv, en| language.pick(fi, sv, en);
    let mut lines = vec![format!(
        "{} {} – {}",
        say("Ohjelmakausi", "Programperiod", "Programme period"),
        date(statistics.starts_on),
        date(statistics.ends_on)
    )];
    if (statistics.from, statistics.until) != (statistics.starts_on, statistics.ends_on) {
        lines.push(format!(
            "{} {} – {}",
            say("Raportointikausi", "Rapportperiod", "Reporting period"),
            date(statistics.from),
            date(statistics.until)
        ));
    }
    lines.push(format!(
        "{} {}",
        say("Tilanne", "Läge per", "As of"),
        date(statistics.as_of)
    ));
    ReportHeading {
        title: statistics.programme_name.get(language.tag()).to_owned(),
        lines,
        exact: statistics.exact,
        language,
    }
}

/// A programme's outcome statistics for its funders: participants, next steps, completed units and
/// qualifications, learning environments made recognisable. The administering organisation sees exact
/// figures; others (also without a token) see public figures.
///
/// **How public figures protect people.** In an answer that is not `exact`, every count of people
/// (participants, ended participations, completed units and qualifications, certificates) is
/// rounded to the nearest multiple of five (`rounding_base`): 1 and 2 show as 0, 3 to 7 as 5. Rows
/// whose rounded count is 0 are left out, and percentages are computed from the rounded figures.
/// Every figure of an answer is thus a multiple of five, and so is anything computed from them:
/// no sum or difference over all the tables of one answer, nor which rows are present, gives a
/// count of 1 or 2. Parts need not add up to their rounded total. Counts of organisations,
/// learning environments and recognitions are public facts and stay exact.
///
/// **Across two answers taken at different times** rounding hides no change entirely: when one
/// person joins, a rounded figure moves by five or not at all, so a reader who knows that exactly
/// one named person joined between two answers, and nothing else changed, may learn in which
/// rows that person is counted. Figures therefore change only in steps of five, never by one,
/// and no answer shows who joined; funders who need period figures should use closed periods.
#[utoipa::path(
    tag = "statistics",
    security((), ("oauth2" = ["programmes:read"])),
    params(("id" = String, Path, description = "Programme id"), ReportQuery, ProgrammeStatisticsQuery),
    responses(
        (status = 200, description = "The statistics: JSON, one table as CSV, or the whole report as HTML or PDF",
            content(
                (ProgrammeStatistics = "application/json"),
                (String = "text/csv"),
                (String = "text/html"),
                (inline(crate::certificates::dto::PdfDocument) = "application/pdf"),
            )),
        (status = 406, description = "None of the media types in Accept is available", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "CSV without `table`, a `table` this answer does not have, or `from`/`until` that leave no day of the programme's period", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/programmes/{id}/statistics")]
pub async fn programme_statistics(
    db: web::Data<Db>,
    request: HttpRequest,
    caller: Option<Caller>,
    id: web::Path<String>,
    Query(report): Query<ReportQuery>,
    Query(query): Query<ProgrammeStatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let asked = Asked::of(&request, &report)?;
    let (id, language) = (id.into_inner(), asked.language);
    let (from, until) = (query.from, query.until);
    let statistics = db
        .run(move |conn| {
            let row = programmes::find(conn, &id)?.ok_or(PROGRAMME_NOT_FOUND)?;
            let period = programme::Period::of(&row, from, until)?;
            let exact = policy::administers(caller.as_ref(), &row);
            programme::compute(conn, &row, (period, language), exact)
        })
        .await?;
    let heading = programme_heading(&statistics, language);
    respond(
        asked.format,
        &statistics,
        || {
            let names = ProgrammeTable::ALL.map(ProgrammeTable::as_str);
            let wanted = query.table.map(ProgrammeTable::as_str);
            let body = csv_of(
                &statistics.tables,
                &statistics.cross_tables,
                (&names, wanted),
                asked.csv,
            )?;
            Ok((wanted.unwrap_or_default().to_owned(), body))
        },
        (heading, &statistics.tables, &statistics.cross_tables),
    )
}

/// Public figures of a region: learning environments and recognitions by qualification, signatories of
/// the regional guidelines by kind, agreements in force, certificates issued per year. Platform
/// administrators see exact figures; others see public figures.
///
/// **How public figures protect people.** In an answer that is not `exact`, every count of people
/// (participants, ended participations, completed units and qualifications, certificates) is
/// rounded to the nearest multiple of five (`rounding_base`): 1 and 2 show as 0, 3 to 7 as 5. Rows
/// whose rounded count is 0 are left out, and percentages are computed from the rounded figures.
/// Every figure of an answer is thus a multiple of five, and so is anything computed from them:
/// no sum or difference over all the tables of one answer, nor which rows are present, gives a
/// count of 1 or 2. Parts need not add up to their rounded total. Counts of organisations,
/// learning environments and recognitions are public facts and stay exact.
///
/// **Across two answers taken at different times** rounding hides no change entirely: when one
/// person joins, a rounded figure moves by five or not at all, so a reader who knows that exactly
/// one named person joined between two answers, and nothing else changed, may learn in which
/// rows that person is counted. Figures therefore change only in steps of five, never by one,
/// and no answer shows who joined; funders who need period figures should use closed periods.
#[utoipa::path(
    tag = "statistics",
    security((), ("oauth2" = ["admin"])),
    params(("code" = String, Path, description = "Region code, two digits", example = "04"), ReportQuery, RegionStatisticsQuery),
    responses(
        (status = 200, description = "The statistics: JSON, one table as CSV, or the whole report as HTML or PDF",
            content(
                (RegionStatistics = "application/json"),
                (String = "text/csv"),
                (String = "text/html"),
                (inline(crate::certificates::dto::PdfDocument) = "application/pdf"),
            )),
        (status = 406, description = "None of the media types in Accept is available", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "CSV without `table`, or a `table` this answer does not have", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/statistics/regions/{code}")]
pub async fn region_statistics(
    db: web::Data<Db>,
    request: HttpRequest,
    caller: Option<Caller>,
    code: web::Path<String>,
    Query(report): Query<ReportQuery>,
    Query(query): Query<RegionStatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let asked = Asked::of(&request, &report)?;
    let (code, language) = (code.into_inner(), asked.language);
    let exact = caller.as_ref().is_some_and(Caller::is_admin);
    let statistics = db
        .run(move |conn| {
            let name =
                regional::region_name(conn, &code)?.ok_or(ApiError::NotFound { resource: "region" })?;
            regional::compute(conn, (&code, name), language, exact)
        })
        .await?;
    let heading = ReportHeading {
        title: format!(
            "{} – {}",
            statistics.region_name,
            language.pick(
                "opinnollistamisen luvut",
                "erkännande av lärande i arbete i siffror",
                "recognising work-based learning in figures"
            )
        ),
        lines: vec![format!(
            "{} {}",
            language.pick("Tilanne", "Läge per", "As of"),
            language.date(statistics.as_of)
        )],
        exact: statistics.exact,
        language,
    };
    respond(
        asked.format,
        &statistics,
        || {
            let names = RegionTable::ALL.map(RegionTable::as_str);
            let wanted = query.table.map(RegionTable::as_str);
            let body = csv_of(&statistics.tables, &[], (&names, wanted), asked.csv)?;
            Ok((
                format!("{}-{}", statistics.region, wanted.unwrap_or_default()),
                body,
            ))
        },
        (heading, &statistics.tables, &[]),
    )
}
