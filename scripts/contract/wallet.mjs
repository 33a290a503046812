// A wallet that is not the registry's: the OpenID Foundation's OID4VCI client
// (@openid4vc/openid4vci) takes the offer the scenario made, asks for the PIN, proves possession
// of its own P-256 key and receives the certificate in both formats the offer lists. The
// SD-JWT VC is then checked with @sd-jwt/sd-jwt-vc: its signature (with the key the issuer's
// JWT VC issuer metadata names), its digests and disclosures, its holder binding, its type
// metadata, and its status through @sd-jwt/jwt-status-list. A presentation disclosing one unit
// and nothing of the holder, with key binding, verifies; then the certificate is revoked and
// the same credential fails its status check.
//
// CONTRACT_CREDENTIALS_FILE holds {"wallet": {"offer_url", "tx_code", "certificate_id",
// "issuer_token"}} from scripts/contract/e2e.py; CONTRACT_BASE_URL is the service.
import {readFileSync} from 'node:fs';
import {createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify} from 'node:crypto';
import {clientAuthenticationNone, setGlobalConfig} from '@openid4vc/oauth2';
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {ES256, digest, generateSalt} from '@sd-jwt/crypto-nodejs';
import {getListFromStatusListJWT} from '@sd-jwt/jwt-status-list';

const base = process.env.CONTRACT_BASE_URL;
const {wallet: given} = JSON.parse(readFileSync(process.env.CONTRACT_CREDENTIALS_FILE, 'utf8'));
// The service under test listens on plain http on loopback.
setGlobalConfig({allowInsecureUrls: true});

function check(condition, what) {
  if (!condition) {
    throw new Error(`wallet check failed: ${what}`);
  }
}

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const holder = generateKeyPairSync('ec', {namedCurve: 'P-256'});
const holderJwk = holder.publicKey.export({format: 'jwk'});
const holderPrivateJwk = holder.privateKey.export({format: 'jwk'});

// The wallet's JWT signer: ES256 with the holder key, named by jwk or by did:jwk as asked.
function signJwt(signer, {header, payload}) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(input), {key: holder.privateKey, dsaEncoding: 'ieee-p1363'});
  return {jwt: `${input}.${b64url(signature)}`, signerJwk: holderJwk};
}

const client = new Openid4vciClient({
  callbacks: {
    hash: (data) => createHash('sha256').update(data).digest(),
    generateRandom: (length) => randomBytes(length),
    signJwt,
    clientAuthentication: clientAuthenticationNone({clientId: 'contract-wallet'}),
    fetch,
  },
});

const offer = await client.resolveCredentialOffer(given.offer_url);
const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
check(offer.credential_configuration_ids.length === 2, 'the offer lists both formats');
const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer,
  issuerMetadata,
  txCode: given.tx_code,
});

async function receive(credentialConfigurationId) {
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const proof = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId,
    nonce,
    signer: {method: 'jwk', alg: 'ES256', publicJwk: holderJwk},
  });
  const response = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId,
    proofs: {jwt: [proof.jwt]},
  });
  const credentials = response.credentialResponse.credentials;
  check(credentials?.length === 1, `one credential for ${credentialConfigurationId}`);
  return credentials[0].credential;
}

// A VC-JWT verified with the JWK its kid (a URL) answers: RS256, ES256 or EdDSA.
async function verifyJwt(jwt) {
  const [headerPart, payloadPart, signaturePart] = jwt.split('.');
  const header = JSON.parse(Buffer.from(headerPart, 'base64url'));
  const response = await fetch(header.kid);
  check(response.ok, `the key ${header.kid} answers`);
  const key = createPublicKey({key: await response.json(), format: 'jwk'});
  const hash = {RS256: 'sha256', ES256: 'sha256', EdDSA: null}[header.alg];
  check(hash !== undefined, `a known algorithm (${header.alg})`);
  const input = Buffer.from(`${headerPart}.${payloadPart}`);
  const options = header.alg === 'ES256' ? {key, dsaEncoding: 'ieee-p1363'} : key;
  check(verify(hash, input, options, Buffer.from(signaturePart, 'base64url')), 'the Open Badge signature verifies');
  return JSON.parse(Buffer.from(payloadPart, 'base64url'));
}

const openBadge = await receive('open_badge_jwt_vc_json');
const badge = await verifyJwt(openBadge);
const did = `did:jwk:${b64url(JSON.stringify({crv: holderJwk.crv, kty: holderJwk.kty, x: holderJwk.x, y: holderJwk.y}))}`;
check(badge.credentialSubject.id === did && badge.sub === did, 'the Open Badge is bound to the wallet key (did:jwk)');
const sdJwt = await receive('competence_certificate_dc_sd_jwt');

// The verifier's side: the issuer's key from its JWT VC issuer metadata, fetched by its iss.
async function json(url) {
  const response = await fetch(url);
  check(response.ok, `${url} answered ${response.status}`);
  return response.json();
}
const issuer = JSON.parse(Buffer.from(sdJwt.split('.')[1], 'base64url')).iss;
const issuerUrl = new URL(issuer);
const jwtVcIssuer = await json(`${issuerUrl.origin}/.well-known/jwt-vc-issuer${issuerUrl.pathname}`);
check(jwtVcIssuer.issuer === issuer, 'the JWT VC issuer metadata names the issuer');

async function issuerVerifier(data, signature) {
  const [headerPart] = data.split('.');
  const {kid} = JSON.parse(Buffer.from(headerPart, 'base64url'));
  const jwk = jwtVcIssuer.jwks.keys.find((key) => key.kid === kid);
  check(jwk, `the issuer publishes the key ${kid}`);
  return (await ES256.getVerifier(jwk))(data, signature);
}

// Key binding: the KB-JWT is verified with the key the credential's cnf names.
async function kbVerifier(data, signature, payload) {
  return (await ES256.getVerifier(payload.cnf.jwk))(data, signature);
}

let statusValid = true;
const verifier = new SDJwtVcInstance({
  hasher: digest,
  hashAlg: 'sha-256',
  saltGenerator: generateSalt,
  verifier: issuerVerifier,
  kbVerifier,
  kbSigner: await ES256.getSigner(holderPrivateJwk),
  kbSignAlg: 'ES256',
  loadTypeMetadataFormat: true,
  statusValidator: async (status) => {
    statusValid = status === 0;
  },
});

// The status list token read directly with @sd-jwt/jwt-status-list, as a wallet shows status.
async function listedStatus(reference) {
  const response = await fetch(reference.uri, {headers: {accept: 'application/statuslist+jwt'}});
  check(response.headers.get('content-type')?.includes('application/statuslist+jwt'), 'a statuslist+jwt');
  const token = await response.text();
  const [headerPart, payloadPart, signature] = token.split('.');
  check(await issuerVerifier(`${headerPart}.${payloadPart}`, signature), 'the status list token verifies');
  check(JSON.parse(Buffer.from(payloadPart, 'base64url')).sub === reference.uri, 'the list names its own URI');
  return getListFromStatusListJWT(token).getStatus(reference.idx);
}

const full = await verifier.verify(sdJwt);
check((await listedStatus(full.payload.status.status_list)) === 0, 'the token status list says valid');
const claims = await verifier.getClaims(sdJwt);
check(full.payload.cnf.jwk.x === holderJwk.x, 'the SD-JWT VC is bound to the wallet key (cnf)');
check(statusValid, 'the SD-JWT VC is valid by its token status list');
check(full.typeMetadata?.vctValues?.[0] === full.payload.vct, 'the vct resolves to its type metadata');
check(claims.family_name && claims.birthdate && claims.units.length >= 1, 'all claims disclose');
check(claims.units[0].skills.length >= 1, 'skills disclose within a unit');

// The trainee shows an employer one unit: no name, no birth date, no link to the verify page.
const nonce = b64url(randomBytes(16));
const presentation = await verifier.present(
  sdJwt,
  {units: {0: true}},
  {kb: {payload: {iat: Math.floor(Date.now() / 1000), aud: 'https://employer.example', nonce}}},
);
const shown = await verifier.verify(presentation, {keyBindingNonce: nonce, requiredClaimKeys: ['units']});
check(shown.kb?.payload?.nonce === nonce, 'the presentation carries key binding');
const shownClaims = await verifier.getClaims(presentation);
check(shownClaims.units.length === 1 && shownClaims.units[0].code, 'one unit is shown');
for (const hidden of ['given_name', 'family_name', 'birthdate', 'verification_url']) {
  check(!(hidden in shownClaims), `${hidden} stays hidden`);
}

// Revoked: the same credential now fails its status check.
const revoked = await fetch(`${base}/v1/certificates/${given.certificate_id}/revoke`, {
  method: 'POST',
  headers: {authorization: `Bearer ${given.issuer_token}`, 'content-type': 'application/json'},
  body: JSON.stringify({reason: 'Annettu väärälle henkilölle.'}),
});
check(revoked.ok, `the certificate is revoked (${revoked.status})`);
await verifier.verify(sdJwt);
check(!statusValid, 'after revocation the token status list says the SD-JWT VC is not valid');
check((await listedStatus(full.payload.status.status_list)) === 1, 'the revoked bit is set in the token status list');
console.log(
  'independent wallet passed: offer, PIN, nonce, proofs and both formats received; SD-JWT VC verified ' +
    'with its type metadata and status, one unit presented with key binding, revocation seen',
);
