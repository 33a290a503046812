//! HTTP endpoints of certificates, their sharing and the change feed.

use actix_web::{delete, get, http::header, patch, post, web, HttpResponse};

use super::{
    batch::{self, BatchInput, BatchQuery, BatchResult, BatchRevokeInput},
    credential::{PublicUrl, Signer},
    domain::{self, NOT_FOUND},
    dto::{
        Certificate, CertificateFilter, CertificateInput, CertificateStatus, Feed, FeedEvent, FeedQuery,
        ImportInput, ReadPurpose, RevokeInput, SearchInput, SearchResult, ShareInput,
    },
    holder_link::{self, HolderAccess, NewHolderLink},
    lifecycle,
    model::CertificateRow,
    pdf::{Handout, Letterhead},
    policy,
    protection::PersonalDataKey,
    repo, sharing, views,
};
use crate::{
    audit::Actor,
    auth::{
        rate_limit::{self, Counter},
        Caller,
    },
    concurrency::{created, with_etag, IfMatch, OptionalIfMatch},
    db::{write_transaction, Db, DbConnection},
    error::{ApiError, FieldError},
    extract::{Json, MergePatch, Query},
    idempotency::shown_once,
    identifiers,
    issuers::keys::CredentialKeys,
    lookups::Lookups,
    organisations::repo as organisations,
    pagination::{Page, PageRequest},
};

/// One certificate as `caller` sees it, read afresh (after a change): on PostgreSQL in one
/// statement ([`repo::find_whole`]).
fn view(
    conn: &mut DbConnection,
    lookups: &Lookups,
    id: &str,
    caller: &Caller,
    key: &PersonalDataKey,
) -> Result<Certificate, ApiError> {
    let whole = repo::find_whole(conn, id)?.ok_or(NOT_FOUND)?;
    views::whole_view(conn, lookups, whole, key, |issuer| {
        policy::sees_shares(caller, issuer)
    })
}

fn view_of(
    conn: &mut DbConnection,
    lookups: &Lookups,
    row: CertificateRow,
    caller: &Caller,
    key: &PersonalDataKey,
) -> Result<Certificate, ApiError> {
    views::views(conn, lookups, vec![row], key, |issuer| {
        policy::sees_shares(caller, issuer)
    })?
    .pop()
    .ok_or(NOT_FOUND)
}

/// Loads a certificate `caller` may read, and records the read of its personal data.
fn load_for_read(
    conn: &mut DbConnection,
    id: &str,
    caller: &Caller,
    purpose: ReadPurpose,
) -> Result<CertificateRow, ApiError> {
    let row = repo::find(conn, id)?.ok_or(NOT_FOUND)?;
    policy::can_read(conn, caller, &row)?;
    views::record_reads(conn, &Actor::from(caller), std::slice::from_ref(&row), purpose)?;
    Ok(row)
}

/// A certificate in full as `caller` reads it, the read audited: the certificate with its child
/// rows and the catalogue version ([`repo::find_whole`]), then the audit entry.
async fn read(
    db: &Db,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    caller: Caller,
    id: String,
) -> Result<Certificate, ApiError> {
    db.audited_read(move |conn| {
        let whole = repo::find_whole(conn, &id)?.ok_or(NOT_FOUND)?;
        policy::may_read(&caller, &whole.row, &whole.children.shares)?;
        let (certificate_id, issuer) = (whole.row.id.clone(), whole.row.issuer_organisation_id.clone());
        let certificate = views::whole_view(conn, &lookups, whole, &key, |issuer| {
            policy::sees_shares(&caller, issuer)
        })?;
        views::record_read(
            conn,
            &Actor::from(&caller),
            (&certificate_id, &issuer),
            ReadPurpose::Read,
        )?;
        Ok(certificate)
    })
    .await
}

/// Loads a certificate for a change by `caller`, checking `If-Match` when given.
fn load_for_change(
    conn: &mut DbConnection,
    id: &str,
    caller: &Caller,
    if_match: Option<&IfMatch>,
) -> Result<CertificateRow, ApiError> {
    let row = repo::find(conn, id)?.ok_or(NOT_FOUND)?;
    may_change(conn, caller, &row, if_match)?;
    Ok(row)
}

/// [`load_for_change`], reading the certificate whole: for a change that needs its content too.
fn load_whole_for_change(
    conn: &mut DbConnection,
    id: &str,
    caller: &Caller,
    if_match: Option<&IfMatch>,
) -> Result<repo::Whole, ApiError> {
    let whole = repo::find_whole(conn, id)?.ok_or(NOT_FOUND)?;
    may_change(conn, caller, &whole.row, if_match)?;
    Ok(whole)
}

/// Whether `caller` may change `row`, and whether `If-Match`, when given, names its version.
fn may_change(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &CertificateRow,
    if_match: Option<&IfMatch>,
) -> Result<(), ApiError> {
    policy::can_change(conn, caller, row)?;
    match if_match {
        Some(if_match) => if_match.check(row.version),
        None => Ok(()),
    }
}

/// Runs `action` on the certificate as `caller` (checking `If-Match` when given) and returns the
/// certificate as it reads afterwards, all in one transaction.
async fn change<A>(
    db: &Db,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    caller: Caller,
    id: String,
    if_match: Option<IfMatch>,
    action: A,
) -> Result<HttpResponse, ApiError>
where
    A: FnOnce(&mut DbConnection, &Actor, &CertificateRow) -> Result<(), ApiError> + Send + 'static,
{
    let certificate = db
        .write(move |conn| {
            let current = load_for_change(conn, &id, &caller, if_match.as_ref())?;
            action(conn, &Actor::from(&caller), &current)?;
            view(conn, &lookups, &id, &caller, &key)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &certificate))
}

/// The answer `respond` makes of a certificate just issued, showing the holder's access link this
/// once: a retry with the same `Idempotency-Key` answers the certificate without it.
fn with_holder_access(
    certificate: Certificate,
    (base, secret): (&str, &str),
    respond: impl FnOnce(&Certificate) -> HttpResponse,
) -> Result<HttpResponse, ApiError> {
    let shown = Certificate {
        holder_access: Some(HolderAccess::new(base, &certificate.id, secret)),
        ..certificate.clone()
    };
    shown_once(respond(&shown), &certificate)
}

fn created_certificate(certificate: &Certificate) -> HttpResponse {
    created(format!("/v1/certificates/{}", certificate.id), certificate)
}

/// Drafts a certificate for a trainee, issued by the caller's organisation.
#[utoipa::path(
    tag = "certificates",
    request_body = CertificateInput,
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 201, description = "Drafted", body = Certificate,
            headers(("ETag" = String, description = "The version"), ("Location" = String, description = "The certificate's URL"))),
    )
)]
#[post("/certificates")]
pub async fn create(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    lookups: web::Data<Lookups>,
    caller: Caller,
    Json(input): Json<CertificateInput>,
) -> Result<HttpResponse, ApiError> {
    let issuer = policy::issuer_for_new(&caller, input.issuer_organisation_id.as_deref())?;
    let certificate = db
        .write(move |conn| {
            let id = domain::create(conn, &Actor::from(&caller), &issuer, input, None, &key)?;
            view(conn, &lookups, &id, &caller, &key)
        })
        .await?;
    Ok(created_certificate(&certificate))
}

/// Enters a paper certificate from before the registry, for administrators: it is drafted and
/// issued at once, marked `imported`, with `issued_at` the day on the paper, so that yearly
/// statistics count it in its own year. Its credential is valid from that day (`validFrom`) and
/// signed today (the JWT's `iat`). It gets a verification code, a status entry and a holder's
/// access link (`holder_access`, shown in this answer only) like any issued certificate.
#[utoipa::path(
    tag = "certificates",
    request_body = ImportInput,
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 201, description = "Entered and issued", body = Certificate,
            headers(("ETag" = String, description = "The version"), ("Location" = String, description = "The certificate's URL"))),
        (status = 403, description = "Not an administrator", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/import")]
pub async fn import(
    db: web::Data<Db>,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    (keys, public_url): (web::Data<CredentialKeys>, web::Data<PublicUrl>),
    caller: Caller,
    Json(input): Json<ImportInput>,
) -> Result<HttpResponse, ApiError> {
    let issuer = policy::importer(&caller, input.certificate.issuer_organisation_id.as_deref())?;
    let signer = Signer {
        keys,
        public_url: public_url.0.clone(),
    };
    let (certificate, secret) = db
        .write(move |conn| {
            let tools = (&signer, &**key, &**lookups);
            let (id, secret) = lifecycle::import(conn, &Actor::from(&caller), &issuer, input, tools)?;
            Ok((view(conn, &lookups, &id, &caller, &key)?, secret))
        })
        .await?;
    with_holder_access(certificate, (&public_url.0, &secret), created_certificate)
}

/// Drafts certificates for a whole group, up to 500, and issues them when `issue` is true.
///
/// Each item is what `POST /v1/certificates` takes. A JSON batch whose items do not have that
/// shape is refused whole (422, every field named as `items[3].holder.hetu`); otherwise each item
/// is checked on its own, and one the registry refuses (an unknown learning environment or unit,
/// another organisation's environment) does not stop the others. The batch may also be a spreadsheet saved as CSV (`text/csv`, UTF-8 with
/// or without a byte order mark, `;` or `,` between fields, `?issue=true` to issue): a header row
/// names any of the columns `certificate`, `issuer_organisation_id`, `given_names`, `family_name`,
/// `date_of_birth`, `hetu`, `learner_oid`, `learning_environment_ids` (separated by `|`),
/// `programme_reference`, `start_date`, `end_date`, `hours`, `coach_name`, `coach_title`,
/// `language`, `qualification`, `unit`, `unit_description`, `skills` (separated by `|`) and
/// `unit_hours`; each row is one certificate with at most one unit, and rows repeating a
/// `certificate` value add units to the first. Dates may be `2026-02-01` or `1.2.2026`. Each
/// result names the `line` its certificate starts on. Each is drafted (and issued) in a transaction of its own, audited like a
/// single one. The answer, 200 whatever the items' fate, has one result per item in order: its
/// `outcome` (`created`, `issued` or `failed`), the certificate's `id`, and for a failed item a
/// `problem` naming the fields at fault within the item. Send an `Idempotency-Key`: a retry with
/// it answers the first batch's results instead of drafting the group twice.
#[utoipa::path(
    tag = "certificates",
    params(BatchQuery),
    request_body(content(
        (BatchInput = "application/json"),
        (String = "text/csv", example = json!("given_names;family_name;date_of_birth;start_date;end_date;coach_name;coach_title;language;learning_environment_ids;qualification;unit;unit_description;skills;unit_hours\nAino Maria;Virtanen;15.3.2004;1.2.2026;31.10.2026;Maija Meikäläinen;työvalmentaja;fi;0193a2b4-8d2f-7e4b-a100-6c2d3e4f5a61;351204;SAMPLE-107;Valmisti lounasta;Valmistaa lounaan annoskortin mukaan;320\n"))
    )),
    security(("oauth2" = ["certificates:write"])),
    responses((status = 200, description = "One result per item", body = BatchResult))
)]
#[post("/certificates/batch")]
pub async fn batch_create(
    db: web::Data<Db>,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    (keys, public_url): (web::Data<CredentialKeys>, web::Data<PublicUrl>),
    caller: Caller,
    input: batch::BatchBody,
) -> Result<HttpResponse, ApiError> {
    caller.require(crate::auth::Scope::CertificatesWrite)?;
    let tools = batch::Tools {
        key,
        lookups,
        signer: Signer {
            keys,
            public_url: public_url.0.clone(),
        },
    };
    let result = batch::create(&db, &caller, input, &tools).await?;
    shown_once(HttpResponse::Ok().json(&result), &result.replayed())
}

/// Revokes certificates, up to 500, each with its reason; each in a transaction of its own, so
/// that one that cannot be revoked (not issued, not the caller's) leaves the others revoked. Items
/// without an `id` and a `reason` refuse the whole batch (422, every field named). The
/// answer has one result per item in order (`revoked` or `failed` with its `problem`).
#[utoipa::path(
    tag = "certificates",
    request_body = BatchRevokeInput,
    security(("oauth2" = ["certificates:write"])),
    responses((status = 200, description = "One result per item", body = BatchResult))
)]
#[post("/certificates/batch-revoke")]
pub async fn batch_revoke(
    db: web::Data<Db>,
    caller: Caller,
    Json(input): Json<BatchRevokeInput>,
) -> Result<HttpResponse, ApiError> {
    caller.require(crate::auth::Scope::CertificatesWrite)?;
    batch::check_items::<batch::RevokeItem>(&input.items)?;
    let result = batch::revoke(&db, &caller, input).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Lists the certificates the caller's organisation issued or that are shared with it now.
/// With `updated_since` this is a simple incremental pull; the feed is the exact one.
#[utoipa::path(
    tag = "certificates",
    params(CertificateFilter),
    security(("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "A page of certificates", body = Page<Certificate>))
)]
#[get("/certificates")]
pub async fn list(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    lookups: web::Data<Lookups>,
    caller: Caller,
    Query(filter): Query<CertificateFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let reader = policy::reader(&caller)?.map(str::to_owned);
    let page = db
        .write(move |conn| {
            let rows = repo::list(conn, reader.as_deref(), &filter, &page)?;
            let page = Page::from_rows(rows, &page, |row| row.id.clone(), |row| row);
            views::record_reads(conn, &Actor::from(&caller), &page.items, ReadPurpose::Read)?;
            let items = views::views(conn, &lookups, page.items, &key, |issuer| {
                policy::sees_shares(&caller, issuer)
            })?;
            Ok::<_, ApiError>(Page {
                items,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Finds a person's certificates by personal identity code or learner OID (oppijanumero), sent
/// in the body so that it never appears in a URL or an access log. Only certificates the caller
/// may read are returned.
///
/// Every search is audited (`search`, without the code), found or not, and so is every
/// certificate it returns (`read`). A client may search 60 times a minute; more answer 429.
#[utoipa::path(
    tag = "certificates",
    request_body = SearchInput,
    security(("oauth2" = ["certificates:read"])),
    responses(
        (status = 200, description = "The certificates found", body = SearchResult),
        (status = 429, description = "Too many searches by this client; retry after Retry-After seconds",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/search")]
pub async fn search(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    lookups: web::Data<Lookups>,
    caller: Caller,
    Json(input): Json<SearchInput>,
) -> Result<HttpResponse, ApiError> {
    let reader = policy::reader(&caller)?.map(str::to_owned);
    let holder = search_key(&input, &key)?;
    let items = db
        .run(move |conn| {
            rate_limit::take(conn, &[Counter::searches(&caller.client_id)], crate::db::now())?;
            write_transaction(conn, |conn| {
                views::record_search(conn, &Actor::from(&caller), caller.organisation_id.as_deref())?;
                let mut readable = Vec::new();
                for row in repo::find_by_holder(conn, &holder)? {
                    let allowed = reader.is_none() || policy::can_read(conn, &caller, &row).is_ok();
                    if allowed {
                        readable.push(row);
                    }
                }
                views::record_reads(conn, &Actor::from(&caller), &readable, ReadPurpose::SearchHit)?;
                views::views(conn, &lookups, readable, &key, |issuer| {
                    policy::sees_shares(&caller, issuer)
                })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(SearchResult { items }))
}

/// The blind indexes to look for: the identity code's or the learner OID's, whichever of the two
/// the search names (one and only one).
fn search_key(input: &SearchInput, key: &PersonalDataKey) -> Result<repo::HolderKey, ApiError> {
    match (&input.holder_hetu, &input.holder_learner_oid) {
        (Some(hetu), None) => {
            let code = identifiers::personal_identity_code(hetu)
                .map_err(|message| ApiError::validation("holder_hetu", "hetu", message))?;
            Ok(repo::HolderKey::Hetu(key.blind_indexes(&code.code)))
        }
        (None, Some(oid)) => {
            let oid = identifiers::learner_oid(oid)
                .map_err(|message| ApiError::validation("holder_learner_oid", "learner_oid", message))?;
            Ok(repo::HolderKey::LearnerOid(key.blind_indexes(&oid)))
        }
        _ => Err(ApiError::Validation(
            ["holder_hetu", "holder_learner_oid"]
                .into_iter()
                .map(|field| {
                    FieldError::new(field, "one_of", "give either holder_hetu or holder_learner_oid")
                })
                .collect(),
        )),
    }
}

/// The change feed of the certificates the caller's organisation issued or was shared.
///
/// **Polling contract.** Events are numbered by `position`, which only grows. Read with
/// `after` = the last position you processed (0 at first) and store `last_position` once the
/// batch is processed; while `more` is true, read again at once, otherwise poll again later (a
/// minute is plenty). Positions are handed out in commit order, so an event never appears behind
/// a position already read: a reader that always passes its last position misses nothing and
/// sees nothing twice. Positions are per service, not per reader, so they skip numbers.
/// Events: `issued`, `revoked`, `superseded` (the certificate was replaced by a corrected one:
/// read it for `superseded_by`), `shared` and `unshared` (with `shared_with`). After `shared`
/// read the certificate with `GET /v1/certificates/{id}`; after `unshared` you may no longer.
#[utoipa::path(
    tag = "certificates",
    params(FeedQuery),
    security(("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "A batch of events in position order", body = Feed))
)]
#[get("/certificates/feed")]
pub async fn feed(
    db: web::Data<Db>,
    caller: Caller,
    Query(query): Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    policy::reader(&caller)?;
    let organisation = caller.organisation_id.clone().ok_or_else(|| {
        ApiError::Forbidden("The feed is an organisation's: the client acts for none.".to_owned())
    })?;
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(100);
    let rows = db
        .run(move |conn| Ok::<_, ApiError>(repo::events(conn, &organisation, after, i64::from(limit) + 1)?))
        .await?;
    let more = rows.len() > limit as usize;
    let items: Vec<FeedEvent> = rows
        .into_iter()
        .take(limit as usize)
        .map(|row| FeedEvent {
            position: row.position,
            event: row.event,
            certificate_id: row.certificate_id,
            shared_with: row.shared_with_id,
            occurred_at: row.occurred_at.and_utc(),
        })
        .collect();
    let last_position = items.last().map_or(after, |item| item.position);
    Ok(HttpResponse::Ok().json(Feed {
        items,
        last_position,
        more,
    }))
}

/// Reads a certificate in full, personal data included; every read is written to the audit log.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "The certificate", body = Certificate,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/certificates/{id}")]
pub async fn get(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    lookups: web::Data<Lookups>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let certificate = read(&db, (key, lookups), caller, id.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), &certificate))
}

/// Changes a draft with a JSON Merge Patch (lists are replaced whole). Issued content never
/// changes: 409.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:write"])),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "Members of CertificateInput to change"),
    responses(
        (status = 200, description = "Changed", body = Certificate),
        (status = 409, description = "The certificate is no longer a draft", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/certificates/{id}")]
pub async fn update(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    lookups: web::Data<Lookups>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let certificate = db
        .write(move |conn| {
            let current = load_for_change(conn, &id, &caller, Some(&if_match))?;
            if current.status != CertificateStatus::Draft {
                return Err(ApiError::Conflict(
                    "Issued content never changes: supersede the certificate with a corrected one."
                        .to_owned(),
                ));
            }
            let input = patch.apply_to(&views::input_of(conn, &current, &key)?)?;
            domain::update(conn, &Actor::from(&caller), &current, input, &key)?;
            view(conn, &lookups, &id, &caller, &key)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &certificate))
}

/// Deletes a draft. An issued certificate stays: 409.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The certificate is no longer a draft", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/certificates/{id}")]
pub async fn delete(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db.write(move |conn| {
        let current = load_for_change(conn, &id, &caller, Some(&if_match))?;
        domain::delete(conn, &Actor::from(&caller), &current)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Issues a draft: its content is frozen, it gets a verification code and a signed credential,
/// and a draft that corrects another certificate supersedes it (taking over its shares).
///
/// Issuing also makes the holder's access link (`holder_access`), shown in this answer only: hand
/// its `url` to the holder, or print `handout_url`. A retry with the same `Idempotency-Key`
/// answers without it; `POST /v1/certificates/{id}/holder-link` makes a new one.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id"),
        ("If-Match" = Option<String>, Header, description = "The draft's version, to issue exactly what was reviewed")),
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 200, description = "Issued", body = Certificate),
        (status = 409, description = "Not a draft", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{id}/issue")]
pub async fn issue(
    db: web::Data<Db>,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    (keys, public_url): (web::Data<CredentialKeys>, web::Data<PublicUrl>),
    caller: Caller,
    id: web::Path<String>,
    OptionalIfMatch(if_match): OptionalIfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let signer = Signer {
        keys,
        public_url: public_url.0.clone(),
    };
    let (certificate, secret) = db
        .run(move |conn| {
            let load = |conn: &mut DbConnection| load_whole_for_change(conn, &id, &caller, if_match.as_ref());
            let tools = (&signer, &**key, &**lookups);
            let secret = lifecycle::issue_in_steps(conn, &Actor::from(&caller), load, tools)?;
            Ok((view(conn, &lookups, &id, &caller, &key)?, secret))
        })
        .await?;
    with_holder_access(certificate, (&public_url.0, &secret), |shown| {
        with_etag(HttpResponse::Ok(), shown)
    })
}

/// Makes a new access link for the certificate's holder, for when the first is lost or was given
/// to the wrong person: the links made for this certificate before no longer open anything. For
/// the issuer, once the certificate is issued. Shown in this answer only.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 200, description = "The new link; give `url` to the holder", body = NewHolderLink,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 409, description = "A draft has no holder link", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{id}/holder-link")]
pub async fn new_holder_link(
    db: web::Data<Db>,
    public_url: web::Data<PublicUrl>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let secret = db
        .write(move |conn| {
            let current = load_for_change(conn, &id, &caller, None)?;
            let subject = issued_holder(&current)?;
            holder_link::make(conn, &Actor::from(&caller), &current, subject, crate::db::now())
                .map(|secret| (current.id, secret))
        })
        .await?;
    let access = HolderAccess::new(&public_url.0, &secret.0, &secret.1);
    let shown = NewHolderLink::from(Some(access));
    shown_once(HttpResponse::Ok().json(&shown), &NewHolderLink::from(None))
}

/// The holder's id of an issued certificate; 409 for a draft.
fn issued_holder(row: &CertificateRow) -> Result<&str, ApiError> {
    row.holder_subject_id
        .as_deref()
        .filter(|_| row.status != CertificateStatus::Draft)
        .ok_or_else(|| ApiError::Conflict("A draft has no holder: issue it first.".to_owned()))
}

/// Ends the holder's access links made for this certificate: they no longer open anything.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 204, description = "The links are ended"),
        (status = 404, description = "No such certificate, or no link of it is in use", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/certificates/{id}/holder-link")]
pub async fn revoke_holder_link(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db.write(move |conn| {
        let current = load_for_change(conn, &id, &caller, None)?;
        if holder_link::revoke(conn, &Actor::from(&caller), &current, crate::db::now())? {
            Ok(())
        } else {
            Err(ApiError::NotFound {
                resource: "holder access link",
            })
        }
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes an issued certificate, with a reason that verification shows.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id"),
        ("If-Match" = Option<String>, Header, description = "The version the revocation is based on")),
    request_body = RevokeInput,
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 200, description = "Revoked", body = Certificate),
        (status = 409, description = "Not issued", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{id}/revoke")]
pub async fn revoke(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    lookups: web::Data<Lookups>,
    caller: Caller,
    id: web::Path<String>,
    OptionalIfMatch(if_match): OptionalIfMatch,
    Json(input): Json<RevokeInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    change(
        &db,
        (key, lookups),
        caller,
        id,
        if_match,
        move |conn, actor, current| lifecycle::revoke(conn, actor, current, &input.reason),
    )
    .await
}

/// Starts a correction: a new draft with this certificate's content. When that draft is issued,
/// this certificate reads as `superseded`.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 201, description = "The correction's draft", body = Certificate,
            headers(("ETag" = String, description = "The version"), ("Location" = String, description = "The draft's URL"))),
        (status = 409, description = "Not issued, or a correction is already being written", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{id}/supersede")]
pub async fn supersede(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    lookups: web::Data<Lookups>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let certificate = db
        .write(move |conn| {
            let current = load_for_change(conn, &id, &caller, None)?;
            let draft = lifecycle::supersede(conn, &Actor::from(&caller), &current, &key)?;
            view(conn, &lookups, &draft, &caller, &key)
        })
        .await?;
    Ok(created_certificate(&certificate))
}

/// Shares an issued certificate with an education provider, recording the holder's consent.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id")),
    request_body = ShareInput,
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 200, description = "Shared; the certificate with its shares", body = Certificate),
        (status = 409, description = "Not issued, or already shared with the organisation", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{id}/shares")]
pub async fn share(
    db: web::Data<Db>,
    key: web::Data<PersonalDataKey>,
    lookups: web::Data<Lookups>,
    caller: Caller,
    id: web::Path<String>,
    Json(input): Json<ShareInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    change(
        &db,
        (key, lookups),
        caller,
        id,
        None,
        move |conn, actor, current| sharing::share(conn, actor, current, &input),
    )
    .await
}

/// Ends sharing with an organisation: it can no longer read the certificate.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id"),
        ("organisation_id" = String, Path, description = "The organisation it is shared with")),
    security(("oauth2" = ["certificates:write"])),
    responses((status = 204, description = "No longer shared"))
)]
#[delete("/certificates/{id}/shares/{organisation_id}")]
pub async fn unshare(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, organisation_id) = path.into_inner();
    db.write(move |conn| {
        let current = load_for_change(conn, &id, &caller, None)?;
        sharing::unshare(conn, &Actor::from(&caller), &current, &organisation_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The certificate's signed credential: an Open Badges 3.0 `OpenBadgeCredential` secured as a
/// VC-JWT (OB 3.0 section 8.2), verifiable offline with the key its `kid` names (also listed at
/// `/v1/credential-keys`) and its issuer's status list.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id")),
    security(("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "The credential as a compact JWS", content_type = "application/vc+jwt", body = String),
        (status = 409, description = "A draft has no credential yet", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/certificates/{id}/credential")]
pub async fn credential(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let jwt = db
        .write(move |conn| {
            let row = load_for_read(conn, &id, &caller, ReadPurpose::Credential)?;
            row.credential
                .ok_or_else(|| ApiError::Conflict("A draft has no credential: issue it first.".to_owned()))
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/vc+jwt").body(jwt))
}

/// The share through which the caller's organisation reads the certificate: the export is for
/// an education provider it is shared with, not for its issuer.
fn provider_share(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &CertificateRow,
) -> Result<super::model::ShareRow, ApiError> {
    let own = caller.organisation_id.as_deref();
    repo::active_shares(conn, std::slice::from_ref(&row.id))?
        .into_iter()
        .find(|found| Some(found.organisation_id.as_str()) == own)
        .ok_or_else(|| {
            ApiError::Forbidden(
                "The eHOKS export is for an education provider the certificate is shared with.".to_owned(),
            )
        })
}

/// The certificate as previously acquired units for the student's plan (HOKS) in eHOKS's field
/// names, ready to add as they are, and an explanation per unit for KOSKI's
/// `tunnustettu.selite`. National units go out by their `tutkinnonosat_NNNNNN` code; sample and
/// local units as local units by name. For an education provider the certificate is shared with;
/// the read is audited.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id"), super::ehoks::EhoksQuery),
    security(("oauth2" = ["certificates:read"])),
    responses(
        (status = 200, description = "The certificate for a plan and a record", body = super::ehoks::EhoksExport),
        (status = 409, description = "The certificate is not issued (revoked, superseded)",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/certificates/{id}/ehoks")]
pub async fn ehoks(
    db: web::Data<Db>,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    (public_url, versions): (web::Data<PublicUrl>, web::Data<crate::config::KoodistoVersions>),
    caller: Caller,
    id: web::Path<String>,
    Query(query): Query<super::ehoks::EhoksQuery>,
) -> Result<HttpResponse, ApiError> {
    let export = db
        .write(move |conn| {
            let row = load_for_read(conn, &id, &caller, ReadPurpose::Ehoks)?;
            let provided = provider_share(conn, &caller, &row)?;
            if row.status != CertificateStatus::Issued {
                return Err(ApiError::Conflict(format!(
                    "Only an issued certificate goes into a plan; this one is {}.",
                    row.status
                )));
            }
            let provider = organisations::find(conn, &provided.organisation_id)?.map(|(found, _)| found);
            let issuer = organisations::find(conn, &row.issuer_organisation_id)?.map(|(found, _)| found);
            let certificate = view_of(conn, &lookups, row, &caller, &key)?;
            let codes: Vec<String> = certificate
                .units
                .iter()
                .map(|unit| unit.unit.code.clone())
                .collect();
            let points = crate::reference::repo::competence_points(conn, &codes)?;
            let context = super::ehoks::Context {
                study_right_oid: provided.study_right_oid,
                provider_oid: provider.and_then(|provider| provider.oph_oid),
                issuer_business_id: issuer.and_then(|issuer| issuer.business_id),
                competence_points: &|code| points.get(code).copied().flatten(),
                versions: **versions,
                process: query.process,
                verification_url: format!(
                    "{}/verify/{}",
                    public_url.0,
                    certificate.verification_code.as_deref().unwrap_or_default()
                ),
            };
            Ok(super::ehoks::export(&certificate, &context))
        })
        .await?;
    Ok(HttpResponse::Ok().json(export))
}

/// The issuer as the certificate's letterhead names it, in the certificate's language.
fn letterhead_of(
    conn: &mut DbConnection,
    issuer: &str,
    language: super::dto::CertificateLanguage,
) -> Result<Letterhead, ApiError> {
    let (row, _) = organisations::find(conn, issuer)?
        .ok_or_else(|| ApiError::internal("a certificate's issuer is missing"))?;
    let name = crate::text::localized(&row.name_fi, &row.name_sv, &row.name_en);
    Ok(Letterhead {
        name: name.get(language.as_str()).to_owned(),
        address: row.address().map(|address| address.one_line()),
        business_id: row.business_id,
    })
}

/// What a printed certificate may add for its holder.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams, validator::Validate)]
#[into_params(parameter_in = Query)]
pub struct PdfQuery {
    /// The secret of the holder's access link (`holder_access.handout_url` of issuing names it):
    /// the PDF becomes the holder's handout, with the link and its QR code printed on it.
    #[param(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub holder_access: Option<String>,
}

/// The printable certificate (PDF, A4) in the certificate's language: issuer, holder, period,
/// learning environments, units with their codes and skills, coach, and the verification code
/// with a QR code to the public verification page. A draft prints marked as a draft. With
/// `holder_access`, the holder's handout: 404 unless that link opens this holder's records.
#[utoipa::path(
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id"), PdfQuery),
    security(("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "The certificate as a PDF document", content_type = "application/pdf", body = inline(super::dto::PdfDocument)),
        (status = 404, description = "No such certificate for the caller, or the holder's access link does not open it", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/certificates/{id}/pdf")]
pub async fn pdf(
    db: web::Data<Db>,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    public_url: web::Data<PublicUrl>,
    caller: Caller,
    id: web::Path<String>,
    Query(query): Query<PdfQuery>,
) -> Result<HttpResponse, ApiError> {
    let secret = query.holder_access.clone();
    let (certificate, letterhead) = db
        .write(move |conn| {
            let row = load_for_read(conn, &id, &caller, ReadPurpose::Pdf)?;
            if let Some(secret) = &secret {
                if !holder_link::opens(conn, secret, &row)? {
                    return Err(ApiError::NotFound {
                        resource: "holder access link",
                    });
                }
            }
            printable(conn, (&lookups, &key), row, &caller)
        })
        .await?;
    let handout = Handout {
        wallet: None,
        holder_url: query
            .holder_access
            .map(|secret| HolderAccess::new(&public_url.0, &certificate.id, &secret).url),
    };
    pdf_answer(certificate, letterhead, &public_url.0, handout).await
}

/// The certificate and its letterhead, as its PDF prints them for `caller`.
pub fn printable(
    conn: &mut DbConnection,
    tools: (&Lookups, &PersonalDataKey),
    row: CertificateRow,
    caller: &Caller,
) -> Result<(Certificate, Letterhead), ApiError> {
    printed(conn, tools, row, |issuer| policy::sees_shares(caller, issuer))
}

/// The certificate and its letterhead, as the holder's own copy prints them.
pub fn printable_for_holder(
    conn: &mut DbConnection,
    tools: (&Lookups, &PersonalDataKey),
    row: CertificateRow,
) -> Result<(Certificate, Letterhead), ApiError> {
    printed(conn, tools, row, |_| false)
}

fn printed(
    conn: &mut DbConnection,
    (lookups, key): (&Lookups, &PersonalDataKey),
    row: CertificateRow,
    shows_shares: impl Fn(&str) -> bool,
) -> Result<(Certificate, Letterhead), ApiError> {
    let letterhead = letterhead_of(conn, &row.issuer_organisation_id, row.language)?;
    let certificate = views::views(conn, lookups, vec![row], key, shows_shares)?
        .pop()
        .ok_or(NOT_FOUND)?;
    Ok((certificate, letterhead))
}

/// The certificate as a PDF answer, with a wallet offer for a handout.
pub async fn pdf_answer(
    certificate: Certificate,
    letterhead: Letterhead,
    base: &str,
    handout: Handout,
) -> Result<HttpResponse, ApiError> {
    let verify_url = format!(
        "{base}/verify/{}",
        certificate.verification_code.as_deref().unwrap_or_default()
    );
    let file_name = format!("certificate-{}.pdf", certificate.id);
    let document = web::block(move || super::pdf::render(&certificate, &letterhead, &verify_url, &handout))
        .await
        .map_err(|error| ApiError::internal(format!("rendering the PDF failed: {error}")))?
        .map_err(|error| ApiError::internal(format!("embedding the font failed: {error:?}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file_name}\""),
        ))
        .body(document))
}
