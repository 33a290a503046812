// Digital Bazaar's status check, as a verifier built on their libraries runs it: `checkStatus`
// of @digitalbazaar/vc-bitstring-status-list with its default options, which verifies the status
// list credential's own proof (here its Data Integrity proof, eddsa-jcs-2022) and requires its
// issuer to be the credential's. JSON-LD contexts come from their packages or, for Open Badges,
// from 1EdTech's published file in tests/fixtures; every other URL is fetched from the service
// as any verifier would.
//
// CONTRACT_CREDENTIALS_FILE holds {"valid": jwt, "revoked": jwt}; the credentials' signatures
// were checked by verify_credential.py, this checks their status.
import {readFileSync} from 'node:fs';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {contexts as credentialContexts} from '@digitalbazaar/credentials-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import securityContext from '@digitalbazaar/security-context';

const contexts = new Map(credentialContexts);
contexts.set(multikeyContext.CONTEXT_URL, multikeyContext.CONTEXT);
for (const [url, context] of securityContext.contexts) {
  contexts.set(url, context);
}
contexts.set(
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  JSON.parse(readFileSync(new URL('../../tests/fixtures/ob_v3p0/context-3.0.3.json', import.meta.url))),
);

async function fetchJson(url) {
  const response = await fetch(url, {headers: {accept: 'application/ld+json, application/json'}});
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
  return response.json();
}

async function documentLoader(url) {
  if (contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const [base, fragment] = url.split('#');
  const document = await fetchJson(base);
  if (!fragment) {
    return {contextUrl: null, documentUrl: url, document};
  }
  // A verification method: found in its controller document by its id.
  const method = (document.assertionMethod || []).find((candidate) => candidate.id === url);
  if (!method) {
    throw new Error(`${base} lists no ${url}`);
  }
  return {
    contextUrl: null,
    documentUrl: url,
    document: {'@context': multikeyContext.CONTEXT_URL, ...method},
  };
}

function payload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
const credentials = JSON.parse(readFileSync(process.env.CONTRACT_CREDENTIALS_FILE, 'utf8'));
let failed = false;
for (const [name, expected] of [['valid', false], ['revoked', true]]) {
  const result = await checkStatus({credential: payload(credentials[name]), documentLoader, suite});
  const status = result.results?.[0]?.status;
  if (!result.verified || result.results?.length !== 1 || status !== expected) {
    console.error(`status check of the ${name} credential: verified ${result.verified}, status ${status}`,
      result.error?.cause?.errors?.map((e) => JSON.stringify({message: e.message, details: e.details}, null, 1).slice(0, 1500)) ?? result.error ?? '');
    failed = true;
  }
}
if (failed) {
  process.exit(1);
}
console.log('status check passed with default options (@digitalbazaar/vc-bitstring-status-list): ' +
  'the valid credential clear, the revoked one set, the lists verified and issued by the credentials\' issuers');
