DROP TABLE wallet_deliveries;
DROP TABLE wallet_nonces;
DROP TABLE wallet_offers;
