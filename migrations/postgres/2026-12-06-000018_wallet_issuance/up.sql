-- Credential offers to digital wallets (OpenID for Verifiable Credential Issuance): one row per
-- offer. The pre-authorized code and the access token are kept only as SHA-256 hashes; the PIN
-- (transaction code) only as a hash keyed by the code, so that a copy of the table reveals neither.
CREATE TABLE wallet_offers (
    id TEXT PRIMARY KEY NOT NULL,
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    code_hash TEXT NOT NULL UNIQUE,
    pin_hash TEXT NOT NULL,
    failed_pins INTEGER NOT NULL,
    state TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    access_token_hash TEXT UNIQUE,
    access_expires_at TIMESTAMP,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    redeemed_at TIMESTAMP
);
CREATE INDEX wallet_offers_certificate_idx ON wallet_offers (certificate_id, created_at);

-- Nonces a wallet proves key possession with: single-use, short-lived, kept as hashes.
CREATE TABLE wallet_nonces (
    nonce_hash TEXT PRIMARY KEY NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX wallet_nonces_expiry_idx ON wallet_nonces (expires_at);

-- Each copy of a certificate delivered to a wallet: the format and the holder key it is bound to
-- (its RFC 7638 thumbprint, never the key itself).
CREATE TABLE wallet_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    offer_id TEXT NOT NULL REFERENCES wallet_offers (id),
    credential_configuration_id TEXT NOT NULL,
    holder_key_thumbprint TEXT NOT NULL,
    delivered_at TIMESTAMP NOT NULL
);
CREATE INDEX wallet_deliveries_certificate_idx ON wallet_deliveries (certificate_id, delivered_at);
