/* tc-test-util.c: helpers for the tests that drive ziti-enroll-test-controller
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "tc-test-util.h"

const char *
tc_controller_path (void)
{
  const char *path = g_getenv ("ZE_TEST_CONTROLLER");

  g_assert_nonnull (path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE));

  return path;
}

int
tc_run (const char * const  *argv,
        char               **out_stdout,
        char               **out_stderr)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, NULL, NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (process))
    return -1;

  return g_subprocess_get_exit_status (process);
}

char *
tc_make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ze-test-controller-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
tc_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      tc_remove_tree (child);
    }

  g_rmdir (path);
}

static GPtrArray *
argv_new (const char         *command,
          const char         *dir,
          const char * const *extra)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer)tc_controller_path ());
  g_ptr_array_add (argv, (gpointer)command);
  g_ptr_array_add (argv, (gpointer)dir);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)extra[i]);
  g_ptr_array_add (argv, NULL);

  return argv;
}

/* A server must not outlive a test that failed an assertion: it would
 * hold meson's output pipe open until the timeout. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

TcServer *
tc_server_init (const char * const *init_args)
{
  TcServer *server = g_new0 (TcServer, 1);
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  server->dir = tc_make_temp_dir ();
  argv = argv_new ("init", server->dir, init_args);
  status = tc_run ((const char * const *)argv->pdata, &out, &err);
  if (status != 0)
    g_test_message ("init failed: %s", err);
  g_assert_cmpint (status, ==, 0);

  return server;
}

void
tc_server_start (TcServer           *server,
                 const char * const *serve_args)
{
  g_autoptr(GPtrArray) argv = argv_new ("serve", server->dir, serve_args);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *port_text = NULL;
  guint64 port = 0;

  g_assert_null (server->process);

  /* stderr is inherited, so a failing server shows in the test log. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  /* Wait for the one "listening on" line: no sleeps, no polling. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on https://127.0.0.1:"));
  g_assert_true (g_ascii_string_to_unsigned (line + strlen ("listening on https://127.0.0.1:"),
                                             10, 1, 65535, &port, NULL));

  server->port = port;
  g_free (server->base);
  server->base = g_strdup_printf ("https://127.0.0.1:%u", server->port);

  /* The port file is written before the line is printed. */
  port_text = tc_server_read (server, "port");
  g_assert_cmpuint (g_ascii_strtoull (port_text, NULL, 10), ==, server->port);
}

TcServer *
tc_server_new (const char * const *serve_args)
{
  TcServer *server = tc_server_init (NULL);

  tc_server_start (server, serve_args);
  return server;
}

void
tc_server_stop (TcServer *server)
{
  g_autoptr(GError) error = NULL;

  if (server->process == NULL)
    return;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);

  /* A clean exit on SIGTERM. */
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
}

void
tc_server_free (TcServer *server)
{
  if (server == NULL)
    return;

  tc_server_stop (server);
  if (server->dir != NULL)
    tc_remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->base);
  g_free (server);
}

char *
tc_server_path (TcServer   *server,
                const char *name)
{
  return g_build_filename (server->dir, name, NULL);
}

char *
tc_server_read (TcServer   *server,
                const char *name)
{
  g_autofree char *path = tc_server_path (server, name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

GBytes *
tc_server_read_der (TcServer   *server,
                    const char *name)
{
  g_autofree char *pem = tc_server_read (server, name);
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_datum_t) der = { NULL, 0 };
  gnutls_datum_t datum = { (unsigned char *)pem, strlen (pem) };

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der), ==, 0);

  return g_bytes_new (der.data, der.size);
}

guint
tc_server_count_log (TcServer   *server,
                     const char *prefix)
{
  g_autofree char *log = tc_server_read (server, "access.log");
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        count++;
    }

  return count;
}

char *
tc_server_url (TcServer   *server,
               const char *path_and_query)
{
  return g_strconcat (server->base, path_and_query, NULL);
}

char *
tc_server_token (TcServer *server,
                 ...)
{
  g_autoptr(GPtrArray) extra = g_ptr_array_new ();
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;
  int status;

  va_start (args, server);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (extra, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (extra, NULL);

  argv = argv_new ("token", server->dir, (const char * const *)extra->pdata);
  status = tc_run ((const char * const *)argv->pdata, &out, &err);
  if (status != 0)
    g_test_message ("token failed: %s", err);
  g_assert_cmpint (status, ==, 0);

  return g_strdup (g_strstrip (out));
}

SoupSession *
tc_session_new (TcServer *server)
{
  g_autofree char *root = tc_server_path (server, "root-ca.pem");
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  SoupSession *session;

  database = g_tls_file_database_new (root, &error);
  g_assert_no_error (error);

  session = soup_session_new_with_options ("timeout", 60, NULL);
  soup_session_set_tls_database (session, database);

  return session;
}

TcResponse *
tc_request (SoupSession        *session,
            const char         *method,
            const char         *url,
            const char         *content_type,
            const char         *body,
            gssize              body_len,
            GTlsCertificate    *client_cert,
            const char * const *headers)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  TcResponse *resp = g_new0 (TcResponse, 1);
  SoupMessageHeaders *request_headers;
  GTlsCertificate *peer;
  gint64 start;

  g_assert_nonnull (msg);
  request_headers = soup_message_get_request_headers (msg);

  /* libsoup opens a new connection for every POST unless told otherwise;
   * tlsuv (the C SDK) sends everything on one keep-alive connection. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len >= 0 ? (gsize)body_len : strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  else if (content_type != NULL)
    soup_message_headers_replace (request_headers, "Content-Type", content_type);

  /* Appended, not replaced: repeated headers reach the server as sent. */
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_append (request_headers, headers[i], headers[i + 1]);

  if (client_cert != NULL)
    soup_message_set_tls_client_certificate (msg, client_cert);

  start = g_get_monotonic_time ();
  resp->body = soup_session_send_and_read (session, msg, NULL, &resp->error);
  resp->elapsed_us = g_get_monotonic_time () - start;
  resp->status = soup_message_get_status (msg);
  resp->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  peer = soup_message_get_tls_peer_certificate (msg);
  if (peer != NULL)
    {
      g_autoptr(GByteArray) der = NULL;

      g_object_get (peer, "certificate", &der, NULL);
      resp->peer_der = g_bytes_new (der->data, der->len);
    }

  return resp;
}

void
tc_response_free (TcResponse *resp)
{
  if (resp == NULL)
    return;

  g_clear_pointer (&resp->headers, soup_message_headers_unref);
  g_clear_pointer (&resp->body, g_bytes_unref);
  g_clear_pointer (&resp->peer_der, g_bytes_unref);
  g_clear_error (&resp->error);
  g_free (resp);
}

JsonObject *
tc_response_json (TcResponse  *resp,
                  JsonParser **out_parser)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  gsize len = 0;
  const char *data;

  g_assert_no_error (resp->error);
  g_assert_nonnull (resp->body);
  g_assert_cmpstr (soup_message_headers_get_content_type (resp->headers, NULL), ==, "application/json");

  data = g_bytes_get_data (resp->body, &len);
  json_parser_load_from_data (parser, data, len, &error);
  g_assert_no_error (error);

  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  *out_parser = g_steal_pointer (&parser);
  return json_node_get_object (root);
}

void
tc_assert_headers (TcResponse *resp)
{
  const char *instance = soup_message_headers_get_one (resp->headers, "ziti-instance-id");

  g_assert_nonnull (instance);
  g_assert_cmpuint (strlen (instance), >, 0);
  g_assert_cmpstr (soup_message_headers_get_one (resp->headers, "Server"), ==,
                   "ziti-controller/v2.1.0-test");
}

/* Checks status, the §6.1 envelope and the error code; returns "error". */
JsonObject *
tc_assert_error (TcResponse  *resp,
                 guint        status,
                 const char  *code,
                 JsonParser **out_parser)
{
  JsonObject *root, *error, *meta;

  g_assert_no_error (resp->error);
  g_assert_cmpuint (resp->status, ==, status);
  tc_assert_headers (resp);

  root = tc_response_json (resp, out_parser);
  g_assert_true (json_object_has_member (root, "error"));
  g_assert_true (json_object_has_member (root, "meta"));
  error = json_object_get_object_member (root, "error");
  meta = json_object_get_object_member (root, "meta");
  g_assert_nonnull (error);
  g_assert_nonnull (meta);

  g_assert_cmpstr (json_object_get_string_member_with_default (error, "code", NULL), ==, code);
  g_assert_cmpuint (strlen (json_object_get_string_member_with_default (error, "message", "")), >, 0);
  g_assert_cmpuint (strlen (json_object_get_string_member_with_default (error, "requestId", "")), >, 0);
  g_assert_cmpstr (json_object_get_string_member_with_default (meta, "apiVersion", NULL), ==, "0.0.1");
  g_assert_cmpstr (json_object_get_string_member_with_default (meta, "apiEnrollmentVersion", NULL), ==, "0.0.1");

  return error;
}

char *
tc_b64url_decode (const char *text,
                  gsize      *out_len)
{
  GString *b64 = g_string_new (text);
  guchar *data;

  for (gsize i = 0; i < b64->len; i++)
    {
      if (b64->str[i] == '-')
        b64->str[i] = '+';
      else if (b64->str[i] == '_')
        b64->str[i] = '/';
    }
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');

  data = g_base64_decode (b64->str, out_len);
  g_string_free (b64, TRUE);

  /* NUL-terminate for the JSON parts. */
  data = g_realloc (data, *out_len + 1);
  data[*out_len] = '\0';

  return (char *)data;
}

/* Part @index (0 header, 1 claims, 2 signature), decoded. */
char *
tc_jwt_part (const char *jwt,
             guint       index)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  gsize len = 0;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  return tc_b64url_decode (parts[index], &len);
}

char *
tc_jwt_string_claim (const char *jwt,
                     const char *name)
{
  g_autofree char *claims = tc_jwt_part (jwt, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, claims, -1, &error);
  g_assert_no_error (error);

  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                               name, NULL));
}

/* Verifies the JWS signature with the public key of @leaf_der, the way
 * the C SDK does (raw R||S for ES*, PKCS#1 v1.5 for RS256). */
gboolean
tc_jwt_verify (const char *jwt,
               GBytes     *leaf_der)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_auto(gnutls_datum_t) der_signature = { NULL, 0 };
  g_autofree char *header = tc_jwt_part (jwt, 0);
  g_autofree char *signature = NULL;
  g_autofree char *signing_input = NULL;
  gnutls_datum_t datum, data, sig;
  gnutls_sign_algorithm_t algo;
  gsize signature_len = 0;
  guint half = 0;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  signature = tc_b64url_decode (parts[2], &signature_len);
  signing_input = g_strconcat (parts[0], ".", parts[1], NULL);

  if (strstr (header, "\"alg\":\"ES256\"") != NULL)
    {
      algo = GNUTLS_SIGN_ECDSA_SHA256;
      half = 32;
    }
  else if (strstr (header, "\"alg\":\"ES384\"") != NULL)
    {
      algo = GNUTLS_SIGN_ECDSA_SHA384;
      half = 48;
    }
  else if (strstr (header, "\"alg\":\"RS256\"") != NULL)
    algo = GNUTLS_SIGN_RSA_SHA256;
  else
    return FALSE;

  datum.data = (unsigned char *)g_bytes_get_data (leaf_der, NULL);
  datum.size = g_bytes_get_size (leaf_der);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_x509 (pubkey, crt, 0), ==, 0);

  sig.data = (unsigned char *)signature;
  sig.size = signature_len;
  if (half > 0)
    {
      gnutls_datum_t r = { (unsigned char *)signature, half };
      gnutls_datum_t s = { (unsigned char *)signature + half, half };

      /* JWS ECDSA signatures are exactly R||S, each the curve size. */
      if (signature_len != 2 * half)
        return FALSE;
      g_assert_cmpint (gnutls_encode_rs_value (&der_signature, &r, &s), ==, 0);
      sig = der_signature;
    }

  data.data = (unsigned char *)signing_input;
  data.size = strlen (signing_input);

  return gnutls_pubkey_verify_data2 (pubkey, algo, 0, &data, &sig) >= 0;
}

char *
tc_make_csr (const char             *sub,
             guint                   port,
             gnutls_pk_algorithm_t   algo,
             unsigned int            bits,
             gnutls_x509_crq_t      *out_crq)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_privkey_t) signer = NULL;
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_datum_t) pem = { NULL, 0 };
  g_autofree char *dc = g_strdup_printf ("https://127.0.0.1:%u", port);

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, algo, bits, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
  /* The C SDK's subject, in its order: O, DC, CN. */
  g_assert_cmpint (gnutls_x509_crq_set_dn_by_oid (crq, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                                  "OpenZiti", strlen ("OpenZiti")), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_dn_by_oid (crq, GNUTLS_OID_LDAP_DC, 0, dc, strlen (dc)), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_dn_by_oid (crq, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                  sub, strlen (sub)), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_version (crq, 1), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_key (crq, key), ==, 0);
  g_assert_cmpint (gnutls_privkey_init (&signer), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (signer, key, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_privkey_sign (crq, signer, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_PEM, &pem), ==, 0);

  if (out_crq != NULL)
    *out_crq = g_steal_pointer (&crq);

  return g_strndup ((const char *)pem.data, pem.size);
}

static void
crt_free (gpointer crt)
{
  gnutls_x509_crt_deinit (crt);
}

GPtrArray *
tc_pem_certificates (const char *pem)
{
  GPtrArray *certs = g_ptr_array_new_with_free_func (crt_free);
  gnutls_datum_t datum = { (unsigned char *)pem, strlen (pem) };
  gnutls_x509_crt_t *list = NULL;
  unsigned int n = 0;

  if (gnutls_x509_crt_list_import2 (&list, &n, &datum, GNUTLS_X509_FMT_PEM, 0) < 0)
    return certs;

  for (unsigned int i = 0; i < n; i++)
    g_ptr_array_add (certs, list[i]);
  gnutls_free (list);

  return certs;
}

/* 0 when @chain (leaf first) verifies against @anchor_pem for @purpose. */
unsigned int
tc_verify_chain (GPtrArray  *chain,
                 const char *anchor_pem,
                 const char *purpose)
{
  g_auto(TcTrustList) trust = NULL;
  gnutls_datum_t datum = { (unsigned char *)anchor_pem, strlen (anchor_pem) };
  gnutls_typed_vdata_st vdata = { .type = GNUTLS_DT_KEY_PURPOSE_OID, .data = (unsigned char *)purpose };
  unsigned int status = 0;

  g_assert_cmpint (gnutls_x509_trust_list_init (&trust, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_trust_list_add_trust_mem (trust, &datum, NULL, GNUTLS_X509_FMT_PEM, 0, 0), >, 0);
  g_assert_cmpint (gnutls_x509_trust_list_verify_crt2 (trust, (gnutls_x509_crt_t *)chain->pdata, chain->len,
                                                       &vdata, purpose != NULL ? 1 : 0, 0, &status, NULL),
                   ==, 0);

  return status;
}

char *
tc_sha1_hex (GBytes *der)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, der);
}

GTlsCertificate *
tc_client_certificate (const char *cert_pem,
                       const char *key_pem)
{
  g_autofree char *pem = g_strconcat (cert_pem, key_pem, NULL);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *cert;

  cert = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);

  return cert;
}

/* A fresh client certificate from the third-party CA (whose key `init`
 * leaves in DIR), with EKU @purpose, or none when NULL. */
char *
tc_issue_third_party_cert (TcServer    *server,
                           const char  *purpose,
                           char       **out_key_pem)
{
  g_autofree char *ca_pem = tc_server_read (server, "third-party-ca.pem");
  g_autofree char *ca_key_pem = tc_server_read (server, "third-party-ca-key.pem");
  g_auto(gnutls_x509_crt_t) ca = NULL;
  g_auto(gnutls_x509_privkey_t) ca_key = NULL;
  g_auto(gnutls_privkey_t) signer = NULL;
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_datum_t) pem = { NULL, 0 };
  g_auto(gnutls_datum_t) key_out = { NULL, 0 };
  gnutls_datum_t datum;
  guint8 serial[16];
  time_t now = time (NULL);

  datum.data = (unsigned char *)ca_pem;
  datum.size = strlen (ca_pem);
  g_assert_cmpint (gnutls_x509_crt_init (&ca), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (ca, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  datum.data = (unsigned char *)ca_key_pem;
  datum.size = strlen (ca_key_pem);
  g_assert_cmpint (gnutls_x509_privkey_init (&ca_key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_import2 (ca_key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0), ==, 0);

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);

  gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial);
  serial[0] = (serial[0] & 0x7f) | 0x01;

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, now - 600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, now + 86400), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                  "test-device", strlen ("test-device")), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), ==, 0);
  if (purpose != NULL)
    g_assert_cmpint (gnutls_x509_crt_set_key_purpose_oid (crt, purpose, 0), ==, 0);
  g_assert_cmpint (gnutls_privkey_init (&signer), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (signer, ca_key, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_privkey_sign (crt, ca, signer, GNUTLS_DIG_SHA256, 0), ==, 0);

  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                      &key_out), ==, 0);

  *out_key_pem = g_strndup ((const char *)key_out.data, key_out.size);
  return g_strndup ((const char *)pem.data, pem.size);
}
