/* tc-test-util.h: helpers for the tests that drive ziti-enroll-test-controller
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ze-gnutls-private.h"

G_BEGIN_DECLS

/* A controller directory and a running `serve` on it. */
typedef struct
{
  char        *dir;
  GSubprocess *process;
  guint        port;
  char        *base;
} TcServer;

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
  GBytes             *peer_der;
  GError             *error;
  gint64              elapsed_us;
} TcResponse;

typedef gnutls_x509_trust_list_t TcTrustList;

static inline void
tc_trust_list_free (TcTrustList list)
{
  gnutls_x509_trust_list_deinit (list, 1);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (TcTrustList, tc_trust_list_free, NULL)

const char  *tc_controller_path       (void);
int          tc_run                   (const char * const  *argv,
                                       char               **out_stdout,
                                       char               **out_stderr);
char        *tc_make_temp_dir         (void);
void         tc_remove_tree           (const char          *path);

TcServer    *tc_server_init           (const char * const  *init_args);
void         tc_server_start          (TcServer            *server,
                                       const char * const  *serve_args);
TcServer    *tc_server_new            (const char * const  *serve_args);
void         tc_server_stop           (TcServer            *server);
void         tc_server_free           (TcServer            *server);
char        *tc_server_path           (TcServer            *server,
                                       const char          *name);
char        *tc_server_read           (TcServer            *server,
                                       const char          *name);
GBytes      *tc_server_read_der       (TcServer            *server,
                                       const char          *name);
guint        tc_server_count_log      (TcServer            *server,
                                       const char          *prefix);
char        *tc_server_url            (TcServer            *server,
                                       const char          *path_and_query);
char        *tc_server_token          (TcServer            *server,
                                       ...) G_GNUC_NULL_TERMINATED;

SoupSession *tc_session_new           (TcServer            *server);
TcResponse  *tc_request               (SoupSession         *session,
                                       const char          *method,
                                       const char          *url,
                                       const char          *content_type,
                                       const char          *body,
                                       gssize               body_len,
                                       GTlsCertificate     *client_cert,
                                       const char * const  *headers);
void         tc_response_free         (TcResponse          *resp);
JsonObject  *tc_response_json         (TcResponse          *resp,
                                       JsonParser         **out_parser);
JsonObject  *tc_assert_error          (TcResponse          *resp,
                                       guint                status,
                                       const char          *code,
                                       JsonParser         **out_parser);
void         tc_assert_headers        (TcResponse          *resp);

char        *tc_b64url_decode         (const char          *text,
                                       gsize               *out_len);
char        *tc_jwt_part              (const char          *jwt,
                                       guint                index);
char        *tc_jwt_string_claim      (const char          *jwt,
                                       const char          *name);
gboolean     tc_jwt_verify            (const char          *jwt,
                                       GBytes              *leaf_der);
char        *tc_make_csr              (const char          *sub,
                                       guint                port,
                                       gnutls_pk_algorithm_t algo,
                                       unsigned int         bits,
                                       gnutls_x509_crq_t   *out_crq);
GPtrArray   *tc_pem_certificates      (const char          *pem);
unsigned int tc_verify_chain          (GPtrArray           *chain,
                                       const char          *anchor_pem,
                                       const char          *purpose);
char        *tc_sha1_hex              (GBytes              *der);
GTlsCertificate *tc_client_certificate (const char         *cert_pem,
                                       const char          *key_pem);
char        *tc_issue_third_party_cert (TcServer           *server,
                                       const char          *purpose,
                                       char               **out_key_pem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TcServer, tc_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TcResponse, tc_response_free)

G_END_DECLS
