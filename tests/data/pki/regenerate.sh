#!/bin/sh
# regenerate.sh: rebuilds the test PKI in this directory.
#
# Copyright 2026 The Ziti Enroll authors
#
# SPDX-License-Identifier: Apache-2.0
#
# Needs certtool (gnutls-bin), base64 (coreutils) and openssl (only for the
# unencrypted PKCS #8 key, which certtool cannot write). Run it from anywhere;
# commit every file it writes. The keys are for tests only and protect nothing.
#
#   root-ca.pem           "Ziti Enroll Test Root CA", self-signed, EC P-256
#   intermediate-ca.pem   "Ziti Enroll Test Intermediate CA", RSA 2048, issued by the root
#   server.pem            controller leaf for ctrl.example.com, localhost, 127.0.0.1, ::1,
#                         issued by the intermediate (key: server-key.pem, SEC1)
#   server-chain.pem      server.pem + intermediate-ca.pem, as a TLS server sends them
#   expired.pem           like server.pem but valid only in 2020 (key: expired-key.pem)
#   other-ca.pem          an unrelated root CA; other-server.pem is a leaf it issued
#   ca-bundle.pem         root-ca.pem + intermediate-ca.pem
#   cacerts.p7b64         ca-bundle.pem as GET /.well-known/est/cacerts returns it: base64 of
#                         a DER PKCS #7 certs-only SignedData, 64-column lines, no final newline
#   leaf-only.p7b64       the same format holding only server.pem (no CA certificate)
#   server.sha256         `certtool --fingerprint --hash sha256` of server.pem
#   rsa-pkcs1-key.pem     RSA 2048 key as "RSA PRIVATE KEY" (PKCS #1)
#   ec-pkcs8-key.pem      EC P-384 key as unencrypted "PRIVATE KEY" (PKCS #8)
#   encrypted-key.pem     EC P-256 key as "ENCRYPTED PRIVATE KEY" (password "secret")
set -eu

cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

days=7300   # 20 years

key () {  # key FILE TYPE [ARGS…]
  out=$1; shift
  certtool --generate-privkey --no-text --outfile "$out" "$@" 2>/dev/null
}

# --- root CA -----------------------------------------------------------------
key root-ca-key.pem --key-type ecdsa --curve secp256r1
cat > "$tmp/root.tmpl" <<T
cn = "Ziti Enroll Test Root CA"
organization = "Ziti Enroll Tests"
serial = 1
expiration_days = $days
ca
cert_signing_key
crl_signing_key
T
certtool --generate-self-signed --no-text --load-privkey root-ca-key.pem \
  --template "$tmp/root.tmpl" --outfile root-ca.pem 2>/dev/null

# --- intermediate CA ---------------------------------------------------------
key intermediate-ca-key.pem --key-type rsa --bits 2048
cat > "$tmp/intermediate.tmpl" <<T
cn = "Ziti Enroll Test Intermediate CA"
organization = "Ziti Enroll Tests"
serial = 2
expiration_days = $days
ca
path_len = 0
cert_signing_key
crl_signing_key
T
certtool --generate-certificate --no-text --load-privkey intermediate-ca-key.pem \
  --load-ca-certificate root-ca.pem --load-ca-privkey root-ca-key.pem \
  --template "$tmp/intermediate.tmpl" --outfile intermediate-ca.pem 2>/dev/null

# --- controller leaf ---------------------------------------------------------
key server-key.pem --key-type ecdsa --curve secp256r1
cat > "$tmp/server.tmpl" <<T
cn = "ctrl.example.com"
organization = "Ziti Enroll Tests"
serial = 3
expiration_days = $days
dns_name = "ctrl.example.com"
dns_name = "localhost"
ip_address = "127.0.0.1"
ip_address = "::1"
tls_www_server
tls_www_client
signing_key
encryption_key
T
certtool --generate-certificate --no-text --load-privkey server-key.pem \
  --load-ca-certificate intermediate-ca.pem --load-ca-privkey intermediate-ca-key.pem \
  --template "$tmp/server.tmpl" --outfile server.pem 2>/dev/null
cat server.pem intermediate-ca.pem > server-chain.pem
certtool --fingerprint --hash sha256 --infile server.pem > server.sha256

# --- expired leaf: same names, valid only during 2020 --------------------------
key expired-key.pem --key-type ecdsa --curve secp256r1
cat > "$tmp/expired.tmpl" <<T
cn = "ctrl.example.com"
organization = "Ziti Enroll Tests"
serial = 4
activation_date = "2020-01-01 00:00:00"
expiration_date = "2020-12-31 23:59:59"
dns_name = "ctrl.example.com"
dns_name = "localhost"
ip_address = "127.0.0.1"
tls_www_server
signing_key
T
certtool --generate-certificate --no-text --load-privkey expired-key.pem \
  --load-ca-certificate intermediate-ca.pem --load-ca-privkey intermediate-ca-key.pem \
  --template "$tmp/expired.tmpl" --outfile expired.pem 2>/dev/null

# --- an unrelated CA and a leaf it issued for the same names ------------------
key other-ca-key.pem --key-type ecdsa --curve secp256r1
cat > "$tmp/other.tmpl" <<T
cn = "Unrelated Test CA"
serial = 5
expiration_days = $days
ca
cert_signing_key
T
certtool --generate-self-signed --no-text --load-privkey other-ca-key.pem \
  --template "$tmp/other.tmpl" --outfile other-ca.pem 2>/dev/null
key other-server-key.pem --key-type ecdsa --curve secp256r1
sed -e 's/^serial = .*/serial = 6/' "$tmp/server.tmpl" > "$tmp/other-server.tmpl"
certtool --generate-certificate --no-text --load-privkey other-server-key.pem \
  --load-ca-certificate other-ca.pem --load-ca-privkey other-ca-key.pem \
  --template "$tmp/other-server.tmpl" --outfile other-server.pem 2>/dev/null

# --- the cacerts bodies ------------------------------------------------------
cat root-ca.pem intermediate-ca.pem > ca-bundle.pem
p7b64 () {  # p7b64 IN.pem OUT.p7b64
  certtool --p7-generate --load-certificate "$1" --outder --outfile "$tmp/p7.der" 2>/dev/null
  base64 -w 64 "$tmp/p7.der" | tr -d '\n' | fold -w 64 > "$tmp/p7.b64"
  # fold leaves no newline at the end, like the controller
  cp "$tmp/p7.b64" "$2"
}
p7b64 ca-bundle.pem cacerts.p7b64
p7b64 server.pem leaf-only.p7b64

# --- key files in the formats users bring ------------------------------------
key rsa-pkcs1-key.pem --key-type rsa --bits 2048
key "$tmp/ec384.pem" --key-type ecdsa --curve secp384r1
openssl pkcs8 -topk8 -nocrypt -in "$tmp/ec384.pem" -out ec-pkcs8-key.pem
certtool --to-p8 --load-privkey server-key.pem --password secret --no-text \
  --outfile encrypted-key.pem 2>/dev/null

# certtool writes keys with mode 0600; these are public test fixtures.
chmod 0644 ./*.pem
echo "regenerate.sh: wrote the test PKI in $(pwd)"
