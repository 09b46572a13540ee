/* test-controller-faults.c: fault injection, key types and concurrency
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include <signal.h>
#include <string.h>

#include "tc-test-util.h"

#define N_THREADS      8
#define N_ENROLLMENTS  50
#define N_RACES        5

static char *
ott_path (TcServer *server)
{
  g_autofree char *jwt = tc_server_token (server, NULL);
  g_autofree char *jti = tc_jwt_string_claim (jwt, "jti");

  return g_strdup_printf ("/edge/client/v1/enroll?method=ott&token=%s", jti);
}

static TcResponse *
get (SoupSession *session,
     TcServer    *server,
     const char  *path)
{
  g_autofree char *url = tc_server_url (server, path);

  return tc_request (session, "GET", url, NULL, NULL, 0, NULL, NULL);
}

static TcResponse *
post_csr (SoupSession *session,
          TcServer    *server,
          const char  *path)
{
  g_autofree char *url = tc_server_url (server, path);
  g_autofree char *csr = tc_make_csr ("fault", server->port, GNUTLS_PK_ECDSA, 256, NULL);

  return tc_request (session, "POST", url, "text/plain", csr, -1, NULL, NULL);
}

static gboolean
token_file_exists (TcServer   *server,
                   const char *folder,
                   const char *path)
{
  const char *token = strstr (path, "token=") + strlen ("token=");
  g_autofree char *name = g_strconcat (token, ".json", NULL);
  g_autofree char *file = g_build_filename (server->dir, folder, name, NULL);

  return g_file_test (file, G_FILE_TEST_EXISTS);
}

/* faults --------------------------------------------------------------------- */

static void
test_fault_slow (void)
{
  const char *args[] = { "--fault", "slow:400", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *path = ott_path (server);
  g_autoptr(TcResponse) version = get (session, server, "/version");
  g_autoptr(TcResponse) enroll = post_csr (session, server, path);

  /* only "at least": never an upper bound on a busy machine */
  g_assert_cmpuint (version->status, ==, 200);
  g_assert_cmpint (version->elapsed_us, >=, 400 * 1000);
  g_assert_cmpuint (enroll->status, ==, 200);
  g_assert_cmpint (enroll->elapsed_us, >=, 400 * 1000);
}

static void
test_fault_close_before_answer (void)
{
  const char *args[] = { "--fault", "close-before-answer", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autoptr(SoupSession) retry_session = tc_session_new (server);
  g_autofree char *path = ott_path (server);
  g_autofree char *url = tc_server_url (server, path);
  g_autofree char *csr = tc_make_csr ("fault", server->port, GNUTLS_PK_ECDSA, 256, NULL);
  g_autoptr(GBytes) csr_bytes = g_bytes_new (csr, strlen (csr));
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TcResponse) retry = NULL;
  g_autoptr(TcResponse) version = NULL;
  g_autoptr(JsonParser) parser = NULL;

  /* A plain (non-idempotent) POST: libsoup must not resend it by itself. */
  soup_message_set_request_body_from_bytes (msg, "text/plain", csr_bytes);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_nonnull (error);
  g_test_message ("dropped: %s", error->message);
  g_assert_cmpuint (soup_message_get_status (msg), !=, 200);

  /* the enrollment happened: the token is used up */
  g_assert_false (token_file_exists (server, "enrollments", path));
  g_assert_true (token_file_exists (server, "consumed", path));
  g_assert_cmpuint (tc_server_count_log (server, "request POST /edge/client/v1/enroll dropped"), ==, 1);

  retry = post_csr (retry_session, server, path);
  tc_assert_error (retry, 400, "INVALID_ENROLLMENT_TOKEN", &parser);

  version = get (retry_session, server, "/version");
  g_assert_cmpuint (version->status, ==, 200);
}

static gboolean
capture_certificate_cb (SoupMessage          *msg,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  GBytes **out = user_data;
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  *out = g_bytes_new (der->data, der->len);

  return FALSE;
}

static void
test_fault_wrong_cert_after_first (void)
{
  const char *args[] = { "--fault", "wrong-cert-after-first", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) first = tc_session_new (server);
  g_autoptr(SoupSession) second = tc_session_new (server);
  g_autoptr(GBytes) leaf = tc_server_read_der (server, "server.pem");
  g_autoptr(GBytes) other = tc_server_read_der (server, "other.pem");
  g_autoptr(GBytes) rejected = NULL;
  g_autofree char *url = tc_server_url (server, "/version");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *jwt = tc_server_token (server, NULL);

  /* connection 1: the real leaf */
  {
    g_autoptr(TcResponse) resp = get (first, server, "/version");

    g_assert_cmpuint (resp->status, ==, 200);
    g_assert_true (g_bytes_equal (resp->peer_der, leaf));
    g_assert_true (tc_jwt_verify (jwt, resp->peer_der));
  }

  /* connection 2: the unrelated leaf, which the client rejects */
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (capture_certificate_cb), &rejected);
  body = soup_session_send_and_read (second, msg, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (rejected);
  g_assert_true (g_bytes_equal (rejected, other));
  g_assert_false (tc_jwt_verify (jwt, rejected));

  /* connection 1 is still alive and keeps its certificate */
  {
    g_autoptr(TcResponse) resp = get (first, server, "/version");

    g_assert_cmpuint (resp->status, ==, 200);
    g_assert_true (g_bytes_equal (resp->peer_der, leaf));
  }

  g_assert_cmpuint (tc_server_count_log (server, "connection "), ==, 2);
  g_assert_cmpuint (tc_server_count_log (server, "connection 2 from 127.0.0.1:"), ==, 1);
}

static void
test_fault_bad_pkcs7 (void)
{
  const char *args[] = { "--fault", "bad-pkcs7", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autoptr(TcResponse) resp = get (session, server, "/.well-known/est/cacerts");
  g_auto(gnutls_pkcs7_t) pkcs7 = NULL;
  g_autofree char *text = NULL;
  g_autofree guchar *der = NULL;
  gnutls_datum_t datum;
  gsize der_len = 0;

  g_assert_cmpuint (resp->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (resp->headers, NULL), ==, "application/pkcs7-mime");
  text = g_strndup (g_bytes_get_data (resp->body, NULL), g_bytes_get_size (resp->body));
  g_assert_false (g_str_has_suffix (text, "\n"));

  /* valid base64, but not PKCS#7 */
  der = g_base64_decode (text, &der_len);
  g_assert_cmpuint (der_len, >, 32);
  datum.data = der;
  datum.size = der_len;
  g_assert_cmpint (gnutls_pkcs7_init (&pkcs7), ==, 0);
  g_assert_cmpint (gnutls_pkcs7_import (pkcs7, &datum, GNUTLS_X509_FMT_DER), <, 0);
}

/* Reads @stream until more than @limit bytes came, all of them @fill. */
static void
read_padding (GInputStream *stream,
              gsize         limit,
              char          fill)
{
  g_autofree char *buffer = g_malloc (64 * 1024);
  g_autoptr(GError) error = NULL;
  gsize total = 0;

  while (total <= limit)
    {
      gssize n = g_input_stream_read (stream, buffer, 64 * 1024, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      for (gssize i = 0; i < n; i++)
        g_assert_cmpint (buffer[i], ==, fill);
      total += n;
    }
}

static void
test_fault_endless_body (void)
{
  const char *args[] = { "--fault", "endless-body", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autoptr(SoupSession) session2 = tc_session_new (server);
  g_autofree char *url = tc_server_url (server, "/version");
  g_autofree char *url2 = tc_server_url (server, "/.well-known/est/cacerts");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(SoupMessage) msg2 = soup_message_new ("GET", url2);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GInputStream) stream2 = NULL;
  g_autoptr(GError) error = NULL;

  stream = soup_session_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpint (soup_message_headers_get_encoding (soup_message_get_response_headers (msg)), ==,
                   SOUP_ENCODING_CHUNKED);

  /* well beyond 1 MiB of JSON whitespace... */
  read_padding (stream, 3 * 1024 * 1024 / 2, ' ');

  /* ...while the server still answers another connection */
  stream2 = soup_session_send (session2, msg2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg2), ==, 200);
  read_padding (stream2, 64 * 1024, '\n');

  read_padding (stream, 512 * 1024, ' ');

  g_input_stream_close (stream, NULL, NULL);
  g_input_stream_close (stream2, NULL, NULL);
  g_assert_cmpuint (tc_server_count_log (server, "connection "), ==, 2);
}

static void
test_fault_http_500 (void)
{
  const char *args[] = { "--fault", "http-500", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *path = ott_path (server);
  g_autoptr(TcResponse) enroll = post_csr (session, server, path);
  g_autoptr(TcResponse) version = get (session, server, "/version");
  g_autoptr(JsonParser) parser = NULL;

  tc_assert_error (enroll, 500, "UNHANDLED", &parser);
  g_assert_true (token_file_exists (server, "enrollments", path));
  g_assert_cmpuint (version->status, ==, 200);
}

static void
test_fault_not_json (void)
{
  const char *args[] = { "--fault", "not-json", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *path = ott_path (server);
  g_autoptr(TcResponse) enroll = post_csr (session, server, path);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (enroll->error);
  g_assert_cmpuint (enroll->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (enroll->headers, NULL), ==, "application/json");
  g_assert_cmpuint (g_bytes_get_size (enroll->body), >, 0);
  g_assert_false (json_parser_load_from_data (parser, g_bytes_get_data (enroll->body, NULL),
                                              g_bytes_get_size (enroll->body), NULL));
}

static void
test_fault_no_keepalive (void)
{
  const char *args[] = { "--fault", "no-keepalive", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *path = ott_path (server);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TcResponse) resp = get (session, server, "/version");

      g_assert_cmpuint (resp->status, ==, 200);
      g_assert_true (soup_message_headers_header_contains (resp->headers, "Connection", "close"));
    }

  {
    g_autoptr(TcResponse) resp = post_csr (session, server, path);

    g_assert_cmpuint (resp->status, ==, 200);
    g_assert_true (soup_message_headers_header_contains (resp->headers, "Connection", "close"));
  }

  /* one connection per answer, on a single session */
  g_assert_cmpuint (tc_server_count_log (server, "connection "), ==, 3);
}

static void
test_fault_combined (void)
{
  const char *args[] = { "--fault", "slow:250", "--fault", "http-500", "--fault", "no-keepalive", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *path = ott_path (server);
  g_autoptr(TcResponse) enroll = post_csr (session, server, path);
  g_autoptr(TcResponse) version = get (session, server, "/version");
  g_autoptr(JsonParser) parser = NULL;

  tc_assert_error (enroll, 500, "UNHANDLED", &parser);
  g_assert_cmpint (enroll->elapsed_us, >=, 250 * 1000);
  g_assert_cmpuint (version->status, ==, 200);
  g_assert_cmpint (version->elapsed_us, >=, 250 * 1000);
  g_assert_cmpuint (tc_server_count_log (server, "connection "), ==, 2);
}

/* key types ----------------------------------------------------------------- */

static void
check_key_type (const char   *key_type,
                const char   *alg,
                gsize         signature_len,
                int           pk_algorithm,
                unsigned int  bits)
{
  const char *init_args[] = { "--key-type", key_type, NULL };
  g_autoptr(TcServer) server = tc_server_init (init_args);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(TcResponse) version = NULL;
  g_autoptr(TcResponse) enroll = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autofree char *jwt = NULL;
  g_autofree char *header = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *kid = NULL;
  g_autofree char *path = NULL;
  g_autofree char *jti = NULL;
  g_auto(GStrv) parts = NULL;
  gnutls_datum_t datum;
  unsigned int leaf_bits = 0;
  gsize len = 0;

  tc_server_start (server, NULL);
  session = tc_session_new (server);

  /* the TLS handshake works with that key, and serves it */
  version = get (session, server, "/version");
  g_assert_cmpuint (version->status, ==, 200);
  datum.data = (unsigned char *)g_bytes_get_data (version->peer_der, NULL);
  datum.size = g_bytes_get_size (version->peer_der);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_get_pk_algorithm (crt, &leaf_bits), ==, pk_algorithm);
  g_assert_cmpuint (leaf_bits, ==, bits);

  /* alg from the key type; the signature verifies against that leaf */
  jwt = tc_server_token (server, NULL);
  kid = tc_sha1_hex (version->peer_der);
  header = tc_jwt_part (jwt, 0);
  expected = g_strdup_printf ("{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}", alg, kid);
  g_assert_cmpstr (header, ==, expected);
  parts = g_strsplit (jwt, ".", -1);
  signature = tc_b64url_decode (parts[2], &len);
  g_assert_cmpuint (len, ==, signature_len);
  g_assert_true (tc_jwt_verify (jwt, version->peer_der));

  /* and enrollments still work */
  jti = tc_jwt_string_claim (jwt, "jti");
  path = g_strdup_printf ("/edge/client/v1/enroll?method=ott&token=%s", jti);
  enroll = post_csr (session, server, path);
  g_assert_cmpuint (enroll->status, ==, 200);
}

static void
test_key_type_ec_p384 (void)
{
  check_key_type ("ec-p384", "ES384", 96, GNUTLS_PK_ECDSA, 384);
}

static void
test_key_type_rsa_2048 (void)
{
  check_key_type ("rsa-2048", "RS256", 256, GNUTLS_PK_RSA, 2048);
}

static void
test_key_type_rsa_4096 (void)
{
  check_key_type ("rsa-4096", "RS256", 512, GNUTLS_PK_RSA, 4096);
}

/* concurrency ----------------------------------------------------------------- */

typedef struct
{
  TcServer   *server;
  const char *path;
  GMutex      lock;
  GCond       cond;
  guint       ready;
  gboolean    go;
  TcResponse *responses[2];
} Race;

typedef struct
{
  Race  *race;
  guint  index;
} Racer;

static gpointer
racer_thread (gpointer data)
{
  Racer *racer = data;
  Race *race = racer->race;
  g_autoptr(SoupSession) session = tc_session_new (race->server);
  g_autofree char *url = tc_server_url (race->server, race->path);
  g_autofree char *csr = tc_make_csr ("racer", race->server->port, GNUTLS_PK_ECDSA, 256, NULL);
  g_autoptr(TcResponse) warmup = get (session, race->server, "/version");

  /* connected and ready: now wait until both are */
  g_assert_cmpuint (warmup->status, ==, 200);
  g_mutex_lock (&race->lock);
  race->ready++;
  g_cond_broadcast (&race->cond);
  while (!race->go)
    g_cond_wait (&race->cond, &race->lock);
  g_mutex_unlock (&race->lock);

  race->responses[racer->index] = tc_request (session, "POST", url, "text/plain", csr, -1, NULL, NULL);

  return NULL;
}

static void
test_concurrent_same_token (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);

  for (guint round = 0; round < N_RACES; round++)
    {
      g_autofree char *path = ott_path (server);
      Race race = { .server = server, .path = path };
      Racer racers[2] = { { &race, 0 }, { &race, 1 } };
      GThread *threads[2];
      guint winners = 0, losers = 0;

      g_mutex_init (&race.lock);
      g_cond_init (&race.cond);

      for (guint i = 0; i < 2; i++)
        threads[i] = g_thread_new ("racer", racer_thread, &racers[i]);

      g_mutex_lock (&race.lock);
      while (race.ready < 2)
        g_cond_wait (&race.cond, &race.lock);
      race.go = TRUE;
      g_cond_broadcast (&race.cond);
      g_mutex_unlock (&race.lock);

      for (guint i = 0; i < 2; i++)
        g_thread_join (threads[i]);

      /* exactly one wins; the other sees a used token */
      for (guint i = 0; i < 2; i++)
        {
          if (race.responses[i]->status == 200)
            winners++;
          else
            {
              g_autoptr(JsonParser) parser = NULL;

              tc_assert_error (race.responses[i], 400, "INVALID_ENROLLMENT_TOKEN", &parser);
              losers++;
            }
          tc_response_free (race.responses[i]);
        }
      g_assert_cmpuint (winners, ==, 1);
      g_assert_cmpuint (losers, ==, 1);

      g_mutex_clear (&race.lock);
      g_cond_clear (&race.cond);
    }
}

typedef struct
{
  TcServer  *server;
  gint       next;
  GMutex     lock;
  GPtrArray *chains;
} Pool;

static gpointer
enroller_thread (gpointer data)
{
  Pool *pool = data;
  g_autoptr(SoupSession) session = tc_session_new (pool->server);
  gint index;

  while ((index = g_atomic_int_add (&pool->next, 1)) < N_ENROLLMENTS)
    {
      /* minted here too: many `token` processes record enrollments at once */
      g_autofree char *path = ott_path (pool->server);
      g_autoptr(TcResponse) resp = post_csr (session, pool->server, path);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *answer;

      g_assert_no_error (resp->error);
      g_assert_cmpuint (resp->status, ==, 200);
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (resp->body, NULL),
                                                 g_bytes_get_size (resp->body), NULL));
      answer = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "data");

      g_mutex_lock (&pool->lock);
      g_ptr_array_add (pool->chains, g_strdup (json_object_get_string_member (answer, "cert")));
      g_mutex_unlock (&pool->lock);
    }

  return NULL;
}

static void
test_concurrent_many (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autofree char *root_pem = tc_server_read (server, "root-ca.pem");
  g_autoptr(GHashTable) fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) serials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *consumed = tc_server_path (server, "consumed");
  g_autoptr(GDir) dir = NULL;
  Pool pool = { .server = server, .chains = g_ptr_array_new_with_free_func (g_free) };
  GThread *threads[N_THREADS];
  guint n_consumed = 0;

  g_mutex_init (&pool.lock);
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("enroller", enroller_thread, &pool);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&pool.lock);

  g_assert_cmpuint (pool.chains->len, ==, N_ENROLLMENTS);
  for (guint i = 0; i < pool.chains->len; i++)
    {
      g_autoptr(GPtrArray) chain = tc_pem_certificates (g_ptr_array_index (pool.chains, i));
      g_auto(gnutls_datum_t) der = { NULL, 0 };
      guint8 serial[64];
      size_t serial_size = sizeof serial;
      g_autoptr(GBytes) leaf = NULL;

      g_assert_cmpuint (chain->len, ==, 2);
      g_assert_cmpuint (tc_verify_chain (chain, root_pem, GNUTLS_KP_TLS_WWW_CLIENT), ==, 0);

      g_assert_cmpint (gnutls_x509_crt_export2 (g_ptr_array_index (chain, 0), GNUTLS_X509_FMT_DER, &der), ==, 0);
      leaf = g_bytes_new (der.data, der.size);
      g_assert_true (g_hash_table_add (fingerprints, tc_sha1_hex (leaf)));
      g_assert_cmpint (gnutls_x509_crt_get_serial (g_ptr_array_index (chain, 0), serial, &serial_size), ==, 0);
      g_assert_true (g_hash_table_add (serials, g_compute_checksum_for_data (G_CHECKSUM_SHA1, serial, serial_size)));
    }
  g_assert_cmpuint (g_hash_table_size (fingerprints), ==, N_ENROLLMENTS);
  g_assert_cmpuint (g_hash_table_size (serials), ==, N_ENROLLMENTS);

  dir = g_dir_open (consumed, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    n_consumed++;
  g_assert_cmpuint (n_consumed, ==, N_ENROLLMENTS);

  g_ptr_array_unref (pool.chains);
}

static void
test_serve_sigint (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  g_subprocess_send_signal (server->process, SIGINT);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);

  log = tc_server_read (server, "access.log");
  g_assert_true (g_str_has_suffix (log, "stopped\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_print ("1..0 # SKIP no TLS backend (install glib-networking)\n");
      return 0;
    }

  g_test_add_func ("/controller/fault/slow", test_fault_slow);
  g_test_add_func ("/controller/fault/close-before-answer", test_fault_close_before_answer);
  g_test_add_func ("/controller/fault/wrong-cert-after-first", test_fault_wrong_cert_after_first);
  g_test_add_func ("/controller/fault/bad-pkcs7", test_fault_bad_pkcs7);
  g_test_add_func ("/controller/fault/endless-body", test_fault_endless_body);
  g_test_add_func ("/controller/fault/http-500", test_fault_http_500);
  g_test_add_func ("/controller/fault/not-json", test_fault_not_json);
  g_test_add_func ("/controller/fault/no-keepalive", test_fault_no_keepalive);
  g_test_add_func ("/controller/fault/combined", test_fault_combined);
  g_test_add_func ("/controller/key-type/ec-p384", test_key_type_ec_p384);
  g_test_add_func ("/controller/key-type/rsa-2048", test_key_type_rsa_2048);
  g_test_add_func ("/controller/key-type/rsa-4096", test_key_type_rsa_4096);
  g_test_add_func ("/controller/concurrency/same-token", test_concurrent_same_token);
  g_test_add_func ("/controller/concurrency/many", test_concurrent_many);
  g_test_add_func ("/controller/serve/sigint", test_serve_sigint);

  return g_test_run ();
}
