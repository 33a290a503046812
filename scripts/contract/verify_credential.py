"""An independent verifier of the registry's credentials: PyJWT and the HTTP URLs the credential
names, none of the registry's own code.

For each credential in CONTRACT_CREDENTIALS_FILE ({"valid": jwt, "revoked": jwt}) it makes the
checks Open Badges 3.0 section 8.2 asks of a verifier, in its order:

1. the JOSE header holds only alg, kid, jwk and typ; typ, when present, is "JWT"; alg is RS256
   (the algorithm every OB 3.0 verifier must support);
2. the kid is a URL, and dereferencing it answers the public JWK (never a private one);
3. the signature verifies with that key;
4. the claims iss, jti, nbf and sub are present and equal issuer.id, id, validFrom and
   credentialSubject.id (exp would have to equal validUntil);
5. the payload validates against 1EdTech's JSON Schema (draft 2019-09);
6. the issuer.id dereferences to an OB Profile that lists the key;
7. the status list the credential names is a VC-JWT verified the same way, issued by the same
   issuer, and its bit is clear for the valid credential and set for the revoked one.

Exits non-zero, naming the first failed check, when any fails.
"""

import base64
import datetime
import gzip
import json
import os
import pathlib
import sys
import urllib.request

import jsonschema
import jwt

ALLOWED_HEADER = {"alg", "kid", "jwk", "typ"}
SCHEMA = pathlib.Path(__file__).parents[2] / "tests/fixtures/ob_v3p0/ob_v3p0_achievementcredential_schema.json"


class Refused(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Refused(what)


def fetch(url, accept):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers.get_content_type(), response.read()


def verify_jwt(token):
    """Checks 1 to 4; the verified payload."""
    header = jwt.get_unverified_header(token)
    check(set(header) <= ALLOWED_HEADER, f"JOSE header members beyond alg, kid, jwk, typ: {sorted(header)}")
    check(header.get("typ", "JWT") == "JWT", f"typ must be JWT, not {header.get('typ')}")
    check(header.get("alg") == "RS256", f"alg is {header.get('alg')}, not RS256")
    kid = header.get("kid")
    check(isinstance(kid, str) and kid.startswith(("http://", "https://")), f"kid is not a URL: {kid}")
    _, body = fetch(kid, "application/jwk+json, application/json")
    jwk = json.loads(body)
    check("d" not in jwk, "the kid answers a private key")
    key = jwt.PyJWK(jwk, algorithm="RS256")
    payload = jwt.decode(
        token,
        key=key,
        algorithms=["RS256"],
        options={"require": ["iss", "jti", "nbf", "sub"], "verify_aud": False},
    )
    issuer = payload["issuer"]["id"] if isinstance(payload["issuer"], dict) else payload["issuer"]
    check(payload["iss"] == issuer, "iss differs from issuer.id")
    check(payload["jti"] == payload["id"], "jti differs from id")
    check(payload["sub"] == payload["credentialSubject"].get("id"), "sub differs from credentialSubject.id")
    valid_from = datetime.datetime.fromisoformat(payload["validFrom"].replace("Z", "+00:00"))
    check(payload["nbf"] == int(valid_from.timestamp()), "nbf differs from validFrom")
    if "exp" in payload or "validUntil" in payload:
        valid_until = datetime.datetime.fromisoformat(payload["validUntil"].replace("Z", "+00:00"))
        check(payload.get("exp") == int(valid_until.timestamp()), "exp differs from validUntil")
    return header, payload


def status_bit(credential):
    """Check 7: the bit of the credential in its issuer's list."""
    status = credential["credentialStatus"]
    check(status["type"] == "BitstringStatusListEntry", status)
    media_type, body = fetch(status["statusListCredential"], "application/vc+jwt")
    check(media_type == "application/vc+jwt", f"the status list came as {media_type}")
    _, status_list = verify_jwt(body.decode())
    check(status_list["iss"] == credential["iss"], "the status list's issuer is not the credential's")
    check(status_list["credentialSubject"]["statusPurpose"] == status["statusPurpose"], "status purposes differ")
    encoded = status_list["credentialSubject"]["encodedList"]
    check(encoded.startswith("u"), "encodedList is not multibase base64url")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    check(len(bits) * 8 >= 131072, "the list is shorter than 131,072 bits")
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def verify(token, schema):
    header, credential = verify_jwt(token)
    errors = sorted(jsonschema.Draft201909Validator(schema).iter_errors(credential), key=str)
    check(not errors, f"1EdTech's JSON Schema refuses it: {[error.message for error in errors[:5]]}")
    _, body = fetch(credential["issuer"]["id"], "application/ld+json")
    profile = json.loads(body)
    check("Profile" in profile.get("type", []), "issuer.id does not answer a Profile")
    check(any(method.get("id") == header["kid"] for method in profile.get("assertionMethod", [])),
          "the issuer's profile does not list the key")
    return status_bit(credential)


def main():
    with open(os.environ["CONTRACT_CREDENTIALS_FILE"], encoding="utf-8") as file:
        credentials = json.load(file)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    try:
        check(verify(credentials["valid"], schema) is False, "the valid credential's status bit is set")
        check(verify(credentials["revoked"], schema) is True, "the revoked credential's status bit is clear")
    except (Refused, jwt.PyJWTError) as refused:
        print(f"independent verification failed: {refused}", file=sys.stderr)
        return 1
    print("independent verification passed: OB 3.0 section 8.2 header and claims, the key by its kid, "
          "1EdTech's JSON Schema, the issuer profile, and the issuer's status list (valid clear, revoked set)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
