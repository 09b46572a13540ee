/* ze-tc-private.h: shared declarations of the local test controller
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ze-gnutls-private.h"

G_BEGIN_DECLS

/* Files and folders in the controller directory (see README.md). */
#define ZE_TC_FILE_ROOT_CA                "root-ca.pem"
#define ZE_TC_FILE_ROOT_CA_KEY            "root-ca-key.pem"
#define ZE_TC_FILE_INTERMEDIATE_CA        "intermediate-ca.pem"
#define ZE_TC_FILE_INTERMEDIATE_CA_KEY    "intermediate-ca-key.pem"
#define ZE_TC_FILE_SERVER                 "server.pem"
#define ZE_TC_FILE_SERVER_KEY             "server-key.pem"
#define ZE_TC_FILE_SERVER_CHAIN           "server-chain.pem"
#define ZE_TC_FILE_OTHER                  "other.pem"
#define ZE_TC_FILE_OTHER_KEY              "other-key.pem"
#define ZE_TC_FILE_THIRD_PARTY_CA         "third-party-ca.pem"
#define ZE_TC_FILE_THIRD_PARTY_CA_KEY     "third-party-ca-key.pem"
#define ZE_TC_FILE_THIRD_PARTY_CLIENT     "third-party-client.pem"
#define ZE_TC_FILE_THIRD_PARTY_CLIENT_KEY "third-party-client-key.pem"
#define ZE_TC_FILE_CA_BUNDLE              "ca-bundle.pem"
#define ZE_TC_FILE_CONFIG                 "controller.json"
#define ZE_TC_FILE_PORT                   "port"
#define ZE_TC_FILE_ACCESS_LOG             "access.log"
#define ZE_TC_DIR_ENROLLMENTS             "enrollments"
#define ZE_TC_DIR_CONSUMED                "consumed"
#define ZE_TC_DIR_AUTHENTICATORS          "authenticators"

#define ZE_TC_VERSION                     "v2.1.0-test"
#define ZE_TC_SERVER_HEADER               "ziti-controller/" ZE_TC_VERSION
#define ZE_TC_CTRL_ADDRESS                "tls:127.0.0.1:6262"
#define ZE_TC_CLIENT_API_PATH             "/edge/client/v1"
#define ZE_TC_DEFAULT_EXPIRY              (3 * 60 * 60)

#define ZE_TC_ERROR (ze_tc_error_quark ())

typedef enum
{
  ZE_TC_ERROR_FAILED,
  ZE_TC_ERROR_CRYPTO,
  ZE_TC_ERROR_INVALID,
} ZeTcError;

typedef enum
{
  ZE_TC_KEY_TYPE_EC_P256,
  ZE_TC_KEY_TYPE_EC_P384,
  ZE_TC_KEY_TYPE_RSA_2048,
  ZE_TC_KEY_TYPE_RSA_4096,
} ZeTcKeyType;

/* A certificate, its DER and PEM forms, and optionally its private key. */
typedef struct
{
  gnutls_x509_crt_t     crt;
  gnutls_x509_privkey_t key;
  GBytes               *der;
  char                 *pem;
  char                 *sha1_hex;
} ZeTcCredential;

/* Everything `init` writes, loaded back from the directory. */
typedef struct
{
  char           *dir;
  char           *controller_id;
  char           *trust_domain;
  char           *third_party_ca_id;
  ZeTcCredential *root;
  ZeTcCredential *intermediate;
  ZeTcCredential *server;
  ZeTcCredential *other;
  ZeTcCredential *third_party_ca;
  GMutex          sign_lock;
} ZeTcPki;

/* One recorded enrollment (DIR/enrollments/<token>.json). */
typedef struct
{
  char   *token;
  char   *method;
  char   *identity_id;
  char   *identity_name;
  char   *username;
  char   *ca_id;
  gint64  expires_at;
} ZeTcEnrollment;

/* A wrapper type so the cleanup cannot clash with one in a shared header. */
typedef gnutls_x509_trust_list_t ZeTcTrustList;

static inline void
ze_tc_trust_list_free (ZeTcTrustList list)
{
  gnutls_x509_trust_list_deinit (list, 1);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (ZeTcTrustList, ze_tc_trust_list_free, NULL)

GQuark          ze_tc_error_quark                 (void);

/* ze-tc-pki.c */
gboolean        ze_tc_key_type_parse              (const char          *text,
                                                   ZeTcKeyType         *out_type);
const char     *ze_tc_key_type_to_string          (ZeTcKeyType          key_type);
gboolean        ze_tc_pki_init_dir                (const char          *dir,
                                                   ZeTcKeyType          key_type,
                                                   const char * const  *hosts,
                                                   GError             **error);
ZeTcPki        *ze_tc_pki_load                    (const char          *dir,
                                                   GError             **error);
void            ze_tc_pki_free                    (ZeTcPki             *pki);
void            ze_tc_credential_free             (ZeTcCredential      *cred);
GBytes         *ze_tc_pki_decode_csr_pem          (const char          *data,
                                                   gsize                len,
                                                   GError             **error);
char           *ze_tc_pki_issue_client_cert       (ZeTcPki             *pki,
                                                   GBytes              *csr_der,
                                                   const char          *identity_id,
                                                   char               **out_fingerprint,
                                                   GError             **error);
gboolean        ze_tc_pki_verify_client_chain     (ZeTcPki             *pki,
                                                   GPtrArray           *der_chain,
                                                   char               **out_fingerprint,
                                                   GError             **error);
char           *ze_tc_pki_cacerts_body            (ZeTcPki             *pki,
                                                   gboolean             garbage,
                                                   GError             **error);
char           *ze_tc_base64_lines                (const guint8        *data,
                                                   gsize                len);
char           *ze_tc_short_id                    (void);

/* ze-tc-jwt.c */
char           *ze_tc_base64url                   (const guint8        *data,
                                                   gsize                len);
char           *ze_tc_jwt_sign                    (ZeTcCredential      *signer,
                                                   JsonNode            *claims,
                                                   GError             **error);
JsonNode       *ze_tc_jwt_identity_claims         (const char          *iss,
                                                   const char          *sub,
                                                   gint64               exp,
                                                   const char          *jti,
                                                   const char          *em);
JsonNode       *ze_tc_jwt_bootstrap_claims        (const char          *iss_with_slash,
                                                   const char          *sub,
                                                   const char          *jti,
                                                   const char          *em);

/* ze-tc-store.c */
void            ze_tc_enrollment_free             (ZeTcEnrollment      *enrollment);
gboolean        ze_tc_store_prepare               (const char          *dir,
                                                   GError             **error);
gboolean        ze_tc_store_is_valid_token        (const char          *token);
gboolean        ze_tc_store_add                   (const char          *dir,
                                                   const ZeTcEnrollment *enrollment,
                                                   GError             **error);
ZeTcEnrollment *ze_tc_store_lookup                (const char          *dir,
                                                   const char          *token);
gboolean        ze_tc_store_consume               (const char          *dir,
                                                   const char          *token);
gboolean        ze_tc_store_claim_fingerprint     (const char          *dir,
                                                   const char          *fingerprint,
                                                   const char          *identity_id,
                                                   GError             **error);
void            ze_tc_store_release_fingerprint   (const char          *dir,
                                                   const char          *fingerprint);
gboolean        ze_tc_store_add_updb              (const char          *dir,
                                                   const char          *identity_id,
                                                   const char          *username,
                                                   const char          *password,
                                                   GError             **error);
gboolean        ze_tc_write_file                  (const char          *path,
                                                   const char          *data,
                                                   gssize               len,
                                                   int                  mode,
                                                   GError             **error);

/* ze-tc-server.c */
typedef struct
{
  guint    port;
  guint    slow_ms;
  gboolean close_before_answer;
  gboolean wrong_cert_after_first;
  gboolean bad_pkcs7;
  gboolean endless_body;
  gboolean http_500;
  gboolean not_json;
  gboolean no_keepalive;
  gboolean legacy_pem;
} ZeTcServeOptions;

gboolean        ze_tc_serve_options_add_fault     (ZeTcServeOptions    *options,
                                                   const char          *fault,
                                                   GError             **error);
int             ze_tc_serve                       (const char          *dir,
                                                   const ZeTcServeOptions *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZeTcPki, ze_tc_pki_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZeTcCredential, ze_tc_credential_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZeTcEnrollment, ze_tc_enrollment_free)

G_END_DECLS
