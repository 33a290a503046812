//! Wallet offers, nonces and deliveries in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{DeliveryRow, OfferRow, OfferState};
use crate::{
    db::DbConnection,
    schema::{wallet_deliveries, wallet_nonces, wallet_offers},
};

pub fn insert_offer(conn: &mut DbConnection, row: &OfferRow) -> QueryResult<()> {
    diesel::insert_into(wallet_offers::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn offer_by_code(conn: &mut DbConnection, code_hash: &str) -> QueryResult<Option<OfferRow>> {
    wallet_offers::table
        .filter(wallet_offers::code_hash.eq(code_hash))
        .select(OfferRow::as_select())
        .first(conn)
        .optional()
}

pub fn offer_by_access_token(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<OfferRow>> {
    wallet_offers::table
        .filter(wallet_offers::access_token_hash.eq(token_hash))
        .select(OfferRow::as_select())
        .first(conn)
        .optional()
}

pub fn offer(conn: &mut DbConnection, certificate_id: &str, id: &str) -> QueryResult<Option<OfferRow>> {
    wallet_offers::table
        .filter(wallet_offers::certificate_id.eq(certificate_id))
        .filter(wallet_offers::id.eq(id))
        .select(OfferRow::as_select())
        .first(conn)
        .optional()
}

/// A certificate's offers, oldest first.
pub fn offers_of(conn: &mut DbConnection, certificate_id: &str) -> QueryResult<Vec<OfferRow>> {
    wallet_offers::table
        .filter(wallet_offers::certificate_id.eq(certificate_id))
        .order((wallet_offers::created_at, wallet_offers::id))
        .select(OfferRow::as_select())
        .load(conn)
}

/// Takes one of an open offer's PIN tries; false when none is left or the offer is no longer
/// open. The update holds the offer's row until the transaction ends, so that the tries on one
/// offer are checked one at a time and parallel guesses cannot get more than their number.
pub fn take_try(conn: &mut DbConnection, id: &str, tries: i32) -> QueryResult<bool> {
    diesel::update(
        wallet_offers::table
            .find(id)
            .filter(wallet_offers::state.eq(OfferState::Offered))
            .filter(wallet_offers::failed_pins.lt(tries)),
    )
    .set(wallet_offers::failed_pins.eq(wallet_offers::failed_pins + 1))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Locks an offer whose tries are used up.
pub fn lock(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::update(wallet_offers::table.find(id))
        .set(wallet_offers::state.eq(OfferState::Locked))
        .execute(conn)
        .map(drop)
}

/// Redeems an offered code for an access token; false when another request redeemed it first.
pub fn redeem(
    conn: &mut DbConnection,
    id: &str,
    token_hash: &str,
    (at, access_expires_at): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<bool> {
    diesel::update(
        wallet_offers::table
            .find(id)
            .filter(wallet_offers::state.eq(OfferState::Offered)),
    )
    .set((
        wallet_offers::state.eq(OfferState::Redeemed),
        // The try the right PIN took was no failure.
        wallet_offers::failed_pins.eq(wallet_offers::failed_pins - 1),
        wallet_offers::access_token_hash.eq(token_hash),
        wallet_offers::access_expires_at.eq(access_expires_at),
        wallet_offers::redeemed_at.eq(at),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Stores a nonce, and forgets those that expired.
pub fn insert_nonce(
    conn: &mut DbConnection,
    hash: &str,
    (now, expires_at): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<()> {
    diesel::delete(wallet_nonces::table.filter(wallet_nonces::expires_at.le(now))).execute(conn)?;
    diesel::insert_into(wallet_nonces::table)
        .values((
            wallet_nonces::nonce_hash.eq(hash),
            wallet_nonces::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Uses up a nonce: true when it existed and had not expired.
pub fn take_nonce(conn: &mut DbConnection, hash: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::delete(
        wallet_nonces::table
            .filter(wallet_nonces::nonce_hash.eq(hash))
            .filter(wallet_nonces::expires_at.gt(now)),
    )
    .execute(conn)
    .map(|deleted| deleted == 1)
}

pub fn insert_delivery(conn: &mut DbConnection, row: &DeliveryRow) -> QueryResult<()> {
    diesel::insert_into(wallet_deliveries::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A certificate's deliveries, oldest first.
pub fn deliveries_of(conn: &mut DbConnection, certificate_id: &str) -> QueryResult<Vec<DeliveryRow>> {
    wallet_deliveries::table
        .filter(wallet_deliveries::certificate_id.eq(certificate_id))
        .order((wallet_deliveries::delivered_at, wallet_deliveries::id))
        .select(DeliveryRow::as_select())
        .load(conn)
}
