/* test-controller.c: the test controller against the protocol reference
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every case runs the real ziti-enroll-test-controller binary in its own
 * temporary directory and talks to it over HTTPS with libsoup.
 */

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "tc-test-util.h"

#define KP_CLIENT GNUTLS_KP_TLS_WWW_CLIENT

/* Helpers ---------------------------------------------------------------- */

static TcResponse *
get (SoupSession *session,
     TcServer    *server,
     const char  *path)
{
  g_autofree char *url = tc_server_url (server, path);

  return tc_request (session, "GET", url, NULL, NULL, 0, NULL, NULL);
}

static TcResponse *
post (SoupSession        *session,
      TcServer           *server,
      const char         *path,
      const char         *content_type,
      const char         *body,
      const char * const *headers)
{
  g_autofree char *url = tc_server_url (server, path);

  return tc_request (session, "POST", url, content_type, body, -1, NULL, headers);
}

static TcResponse *
post_with_cert (TcServer        *server,
                const char      *path,
                const char      *content_type,
                const char      *body,
                GTlsCertificate *cert)
{
  /* A new session: the certificate must be in the handshake of a new connection. */
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *url = tc_server_url (server, path);

  return tc_request (session, "POST", url, content_type, body, -1, cert, NULL);
}

static char *
enroll_path (const char *method,
             const char *token)
{
  return g_strdup_printf ("/edge/client/v1/enroll?method=%s&token=%s", method, token);
}

static char *
new_ott (TcServer  *server,
         char     **out_sub)
{
  g_autofree char *jwt = tc_server_token (server, "--method", "ott", NULL);

  if (out_sub != NULL)
    *out_sub = tc_jwt_string_claim (jwt, "sub");

  return tc_jwt_string_claim (jwt, "jti");
}

static char *
new_token (TcServer   *server,
           const char *method)
{
  g_autofree char *jwt = tc_server_token (server, "--method", method, NULL);

  return tc_jwt_string_claim (jwt, "jti");
}

static gboolean
server_file_exists (TcServer   *server,
                    const char *folder,
                    const char *token)
{
  g_autofree char *name = g_strconcat (token, ".json", NULL);
  g_autofree char *path = g_build_filename (server->dir, folder, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static char *
config_string (TcServer   *server,
               const char *member)
{
  g_autofree char *text = tc_server_read (server, "controller.json");
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), member));
}

static GBytes *
crt_der (gnutls_x509_crt_t crt)
{
  g_auto(gnutls_datum_t) der = { NULL, 0 };

  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der), ==, 0);
  return g_bytes_new (der.data, der.size);
}

static JsonObject *
ok_data (TcResponse  *resp,
         JsonParser **out_parser)
{
  JsonObject *root, *meta;

  g_assert_no_error (resp->error);
  g_assert_cmpuint (resp->status, ==, 200);
  tc_assert_headers (resp);
  root = tc_response_json (resp, out_parser);
  meta = json_object_get_object_member (root, "meta");
  g_assert_nonnull (meta);
  g_assert_cmpuint (json_object_get_size (meta), ==, 0);
  g_assert_cmpuint (json_object_get_size (root), ==, 2);

  return json_object_get_object_member (root, "data");
}

static void
check_controllers (TcServer   *server,
                   JsonObject *data)
{
  g_autofree char *server_pem = tc_server_read (server, "server.pem");
  g_autoptr(GBytes) server_der = tc_server_read_der (server, "server.pem");
  g_autofree char *fingerprint = tc_sha1_hex (server_der);
  g_autofree char *url = tc_server_url (server, "/edge/client/v1");
  JsonArray *controllers, *edge_client;
  JsonObject *controller, *address;

  controllers = json_object_get_array_member (data, "controllers");
  g_assert_nonnull (controllers);
  g_assert_cmpuint (json_array_get_length (controllers), ==, 1);
  controller = json_array_get_object_element (controllers, 0);

  g_assert_cmpuint (strlen (json_object_get_string_member (controller, "id")), >, 0);
  g_assert_true (json_object_get_boolean_member (controller, "isOnline"));
  g_assert_cmpstr (json_object_get_string_member (controller, "certPem"), ==, server_pem);
  g_assert_cmpstr (json_object_get_string_member (controller, "fingerprint"), ==, fingerprint);
  edge_client = json_object_get_array_member (json_object_get_object_member (controller, "apiAddresses"),
                                              "edge-client");
  g_assert_cmpuint (json_array_get_length (edge_client), ==, 1);
  address = json_array_get_object_element (edge_client, 0);
  g_assert_cmpstr (json_object_get_string_member (address, "url"), ==, url);
  g_assert_cmpstr (json_object_get_string_member (address, "version"), ==, "v1");
}

/* Everything §9.3 says about an issued chain. */
static void
check_issued_chain (TcServer          *server,
                    const char        *chain_pem,
                    gnutls_x509_crq_t  crq,
                    const char        *identity_id,
                    gint64             before,
                    gint64             after)
{
  g_autoptr(GPtrArray) certs = tc_pem_certificates (chain_pem);
  g_autofree char *root_pem = tc_server_read (server, "root-ca.pem");
  g_autoptr(GBytes) root_der = tc_server_read_der (server, "root-ca.pem");
  g_autoptr(GBytes) intermediate_der = tc_server_read_der (server, "intermediate-ca.pem");
  g_autoptr(GBytes) second = NULL;
  g_autofree char *trust_domain = config_string (server, "trustDomain");
  g_autofree char *expected_uri = g_strdup_printf ("spiffe://%s/identity/%s", trust_domain, identity_id);
  g_auto(gnutls_datum_t) crt_dn = { NULL, 0 };
  g_auto(gnutls_datum_t) crq_dn = { NULL, 0 };
  gnutls_x509_crt_t leaf;
  guint8 id1[64], id2[64], serial[64];
  size_t id1_size = sizeof id1, id2_size = sizeof id2, serial_size = sizeof serial;
  char san[512], oid[128];
  size_t san_size = sizeof san, oid_size = sizeof oid;
  unsigned int usage = 0, critical = 0, ca = 1;
  int pathlen = 0;
  time_t not_before, not_after;

  /* leaf + intermediate, no root */
  g_assert_cmpuint (certs->len, ==, 2);
  second = crt_der (g_ptr_array_index (certs, 1));
  g_assert_true (g_bytes_equal (second, intermediate_der));
  for (guint i = 0; i < certs->len; i++)
    {
      g_autoptr(GBytes) der = crt_der (g_ptr_array_index (certs, i));

      g_assert_false (g_bytes_equal (der, root_der));
    }

  /* chains to the root, for TLS client use */
  g_assert_cmpuint (tc_verify_chain (certs, root_pem, KP_CLIENT), ==, 0);

  leaf = g_ptr_array_index (certs, 0);

  /* subject copied verbatim, same public key */
  g_assert_cmpint (gnutls_x509_crt_get_dn3 (leaf, &crt_dn, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_get_dn3 (crq, &crq_dn, 0), ==, 0);
  g_assert_cmpstr ((const char *)crt_dn.data, ==, (const char *)crq_dn.data);
  g_assert_cmpint (gnutls_x509_crt_get_key_id (leaf, 0, id1, &id1_size), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_get_key_id (crq, 0, id2, &id2_size), ==, 0);
  g_assert_cmpmem (id1, id1_size, id2, id2_size);

  /* exactly one SAN: the SPIFFE URI */
  g_assert_cmpint (gnutls_x509_crt_get_subject_alt_name (leaf, 0, san, &san_size, &critical), ==, GNUTLS_SAN_URI);
  g_assert_cmpstr (san, ==, expected_uri);
  san_size = sizeof san;
  g_assert_cmpint (gnutls_x509_crt_get_subject_alt_name (leaf, 1, san, &san_size, &critical), ==,
                   GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);

  /* KeyUsage, EKU clientAuth only, not a CA */
  g_assert_cmpint (gnutls_x509_crt_get_key_usage (leaf, &usage, &critical), ==, 0);
  g_assert_cmpuint (usage, ==, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT |
                               GNUTLS_KEY_DATA_ENCIPHERMENT);
  g_assert_cmpint (gnutls_x509_crt_get_key_purpose_oid (leaf, 0, oid, &oid_size, &critical), ==, 0);
  g_assert_cmpstr (oid, ==, KP_CLIENT);
  oid_size = sizeof oid;
  g_assert_cmpint (gnutls_x509_crt_get_key_purpose_oid (leaf, 1, oid, &oid_size, &critical), ==,
                   GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
  g_assert_cmpint (gnutls_x509_crt_get_basic_constraints (leaf, &critical, &ca, &pathlen), >=, 0);
  g_assert_cmpuint (ca, ==, 0);

  /* NotBefore = now - 60 s, NotAfter = now + 1 year */
  not_before = gnutls_x509_crt_get_activation_time (leaf);
  not_after = gnutls_x509_crt_get_expiration_time (leaf);
  g_assert_cmpint (not_before, >=, before - 60);
  g_assert_cmpint (not_before, <=, after - 60);
  g_assert_cmpint (not_after, >=, before + 365 * 24 * 3600);
  g_assert_cmpint (not_after, <=, after + 366 * 24 * 3600);

  /* random positive serial of at most 20 bytes */
  g_assert_cmpint (gnutls_x509_crt_get_serial (leaf, serial, &serial_size), ==, 0);
  g_assert_cmpuint (serial_size, >=, 8);
  g_assert_cmpuint (serial_size, <=, 20);
  g_assert_cmpuint (serial[0] & 0x80, ==, 0);
}

/* CLI ---------------------------------------------------------------------- */

static void
test_cli_usage (void)
{
  g_autofree char *dir = tc_make_temp_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  const char *no_args[] = { tc_controller_path (), NULL };
  const char *unknown[] = { tc_controller_path (), "frobnicate", NULL };
  const char *bad_fault[] = { tc_controller_path (), "serve", dir, "--fault", "meteor-strike", NULL };
  const char *bad_key[] = { tc_controller_path (), "init", dir, "--key-type", "dsa-1024", NULL };
  const char *init[] = { tc_controller_path (), "init", dir, NULL };
  const char *no_port[] = { tc_controller_path (), "token", dir, NULL };
  const char *no_dir[] = { tc_controller_path (), "serve", missing, NULL };

  g_assert_cmpint (tc_run (no_args, NULL, NULL), ==, 2);
  g_assert_cmpint (tc_run (unknown, NULL, NULL), ==, 2);
  g_assert_cmpint (tc_run (bad_fault, NULL, NULL), ==, 2);
  g_assert_cmpint (tc_run (bad_key, NULL, NULL), ==, 2);
  g_assert_cmpint (tc_run (init, NULL, NULL), ==, 0);
  /* a second init would orphan every token: refused */
  g_assert_cmpint (tc_run (init, NULL, NULL), ==, 1);
  /* no server ran, so no port file, and no --port */
  g_assert_cmpint (tc_run (no_port, NULL, NULL), ==, 1);
  g_assert_cmpint (tc_run (no_dir, NULL, NULL), ==, 1);

  tc_remove_tree (dir);
}

/* init ---------------------------------------------------------------------- */

static void
check_mode (TcServer   *server,
            const char *name,
            guint       mode)
{
  g_autofree char *path = tc_server_path (server, name);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static gboolean
has_san (gnutls_x509_crt_t  crt,
         int                type,
         const void        *value,
         size_t             value_len)
{
  for (unsigned int i = 0;; i++)
    {
      char buf[256];
      size_t size = sizeof buf;
      int rc = gnutls_x509_crt_get_subject_alt_name (crt, i, buf, &size, NULL);

      if (rc < 0)
        return FALSE;
      if (rc == type && size == value_len && memcmp (buf, value, size) == 0)
        return TRUE;
    }
}

static void
test_init_files (void)
{
  g_autoptr(TcServer) server = tc_server_init (NULL);
  const char *keys[] = { "root-ca-key.pem", "intermediate-ca-key.pem", "server-key.pem", "other-key.pem",
                         "third-party-ca-key.pem", "third-party-client-key.pem" };
  const char *certs[] = { "root-ca.pem", "intermediate-ca.pem", "server.pem", "server-chain.pem", "other.pem",
                          "third-party-ca.pem", "third-party-client.pem", "ca-bundle.pem" };
  const guint8 ipv4[] = { 127, 0, 0, 1 };
  const guint8 ipv6[16] = { [15] = 1 };
  g_autofree char *chain_pem = tc_server_read (server, "server-chain.pem");
  g_autofree char *root_pem = tc_server_read (server, "root-ca.pem");
  g_autofree char *third_party_pem = tc_server_read (server, "third-party-ca.pem");
  g_autofree char *client_pem = tc_server_read (server, "third-party-client.pem");
  g_autofree char *bundle_pem = tc_server_read (server, "ca-bundle.pem");
  g_autofree char *other_pem = tc_server_read (server, "other.pem");
  g_autoptr(GPtrArray) chain = tc_pem_certificates (chain_pem);
  g_autoptr(GPtrArray) client = tc_pem_certificates (client_pem);
  g_autoptr(GPtrArray) bundle = tc_pem_certificates (bundle_pem);
  g_autoptr(GPtrArray) other = tc_pem_certificates (other_pem);
  g_autofree char *enrollments = tc_server_path (server, "enrollments");
  g_autofree char *consumed = tc_server_path (server, "consumed");

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    check_mode (server, keys[i], 0600);
  for (guint i = 0; i < G_N_ELEMENTS (certs); i++)
    check_mode (server, certs[i], 0644);
  g_assert_true (g_file_test (enrollments, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (consumed, G_FILE_TEST_IS_DIR));

  /* server leaf + intermediate, for 127.0.0.1, ::1 and localhost, chained to the root */
  g_assert_cmpuint (chain->len, ==, 2);
  g_assert_true (has_san (g_ptr_array_index (chain, 0), GNUTLS_SAN_IPADDRESS, ipv4, sizeof ipv4));
  g_assert_true (has_san (g_ptr_array_index (chain, 0), GNUTLS_SAN_IPADDRESS, ipv6, sizeof ipv6));
  g_assert_true (has_san (g_ptr_array_index (chain, 0), GNUTLS_SAN_DNSNAME, "localhost", 9));
  g_assert_cmpuint (tc_verify_chain (chain, root_pem, GNUTLS_KP_TLS_WWW_SERVER), ==, 0);

  /* "other" does not chain to the root */
  g_assert_cmpuint (other->len, ==, 1);
  g_assert_cmpuint (tc_verify_chain (other, root_pem, NULL), !=, 0);

  /* the third-party client certificate is a client certificate of the third-party CA */
  g_assert_cmpuint (tc_verify_chain (client, third_party_pem, KP_CLIENT), ==, 0);
  g_assert_cmpuint (tc_verify_chain (client, root_pem, NULL), !=, 0);

  /* the bundle: root, intermediate, third-party CA, all CAs */
  g_assert_cmpuint (bundle->len, ==, 3);
  for (guint i = 0; i < bundle->len; i++)
    {
      unsigned int critical = 0, ca = 0;
      int pathlen = 0;

      g_assert_cmpint (gnutls_x509_crt_get_basic_constraints (g_ptr_array_index (bundle, i), &critical, &ca,
                                                              &pathlen), >=, 0);
      g_assert_cmpuint (ca, ==, 1);
    }
}

static void
test_init_host (void)
{
  const char *args[] = { "--host", "ziti.test", "--host", "10.1.2.3", NULL };
  g_autoptr(TcServer) server = tc_server_init (args);
  g_autofree char *pem = tc_server_read (server, "server.pem");
  g_autoptr(GPtrArray) certs = tc_pem_certificates (pem);
  const guint8 ip[] = { 10, 1, 2, 3 };

  g_assert_cmpuint (certs->len, ==, 1);
  g_assert_true (has_san (g_ptr_array_index (certs, 0), GNUTLS_SAN_DNSNAME, "ziti.test", 9));
  g_assert_true (has_san (g_ptr_array_index (certs, 0), GNUTLS_SAN_IPADDRESS, ip, sizeof ip));
  g_assert_true (has_san (g_ptr_array_index (certs, 0), GNUTLS_SAN_DNSNAME, "localhost", 9));
}

/* serve ---------------------------------------------------------------------- */

static void
test_serve_listening (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autoptr(TcResponse) resp = NULL;
  g_autoptr(GBytes) leaf = tc_server_read_der (server, "server.pem");
  g_autofree char *log = NULL;
  g_autofree char *port_arg = NULL;
  const char *fixed_port[3] = { "--port", NULL, NULL };
  guint port = server->port;

  /* The session trusts only the root: this works only if the intermediate is sent. */
  resp = get (session, server, "/version");
  g_assert_no_error (resp->error);
  g_assert_cmpuint (resp->status, ==, 200);
  g_assert_true (g_bytes_equal (resp->peer_der, leaf));

  log = tc_server_read (server, "access.log");
  g_assert_nonnull (strstr (log, "listening on https://127.0.0.1:"));
  g_assert_cmpuint (tc_server_count_log (server, "connection 1 from 127.0.0.1:"), ==, 1);
  g_assert_cmpuint (tc_server_count_log (server, "request GET /version 200"), ==, 1);

  /* --port N: restart on the port just released */
  tc_server_stop (server);
  port_arg = g_strdup_printf ("%u", port);
  fixed_port[1] = port_arg;
  tc_server_start (server, fixed_port);
  g_assert_cmpuint (server->port, ==, port);
}

static void
test_version (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autoptr(SoupSession) session2 = tc_session_new (server);
  const char *paths[] = { "/", "/version", "/edge/client/v1/version", "/edge/v1/version" };
  g_autofree char *instance = NULL;
  g_autofree char *base_url = tc_server_url (server, "/edge/client/v1");

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TcResponse) resp = get (i % 2 ? session : session2, server, paths[i]);
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *data = ok_data (resp, &parser);
      JsonObject *edge, *v1;
      JsonArray *capabilities;

      capabilities = json_object_get_array_member (data, "capabilities");
      g_assert_nonnull (capabilities);
      g_assert_cmpuint (json_array_get_length (capabilities), ==, 0);
      edge = json_object_get_object_member (json_object_get_object_member (data, "apiVersions"), "edge");
      v1 = json_object_get_object_member (edge, "v1");
      g_assert_cmpstr (json_object_get_string_member (v1, "path"), ==, "/edge/client/v1");
      g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (v1, "apiBaseUrls"), 0), ==,
                       base_url);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (data, "version"), "v2."));

      /* constant for the run, across connections */
      if (instance == NULL)
        instance = g_strdup (soup_message_headers_get_one (resp->headers, "ziti-instance-id"));
      g_assert_cmpstr (soup_message_headers_get_one (resp->headers, "ziti-instance-id"), ==, instance);
    }
}

static void
test_not_found (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  const char *paths[] = { "/edge/client/v1/nothing-here", "/fabric/v1/routers", "/edge/management/v1/identities",
                          "/enroll/extend/router" };
  g_autoptr(TcResponse) post_version = NULL;
  g_autoptr(TcResponse) get_enroll = NULL;
  g_autoptr(TcResponse) token_route = NULL;
  g_autoptr(JsonParser) p1 = NULL;
  g_autoptr(JsonParser) p2 = NULL;
  g_autoptr(JsonParser) p3 = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TcResponse) resp = get (session, server, paths[i]);
      g_autoptr(JsonParser) parser = NULL;

      tc_assert_error (resp, 404, "NOT_FOUND", &parser);
    }

  post_version = post (session, server, "/version", "application/json", "{}", NULL);
  tc_assert_error (post_version, 405, "METHOD_NOT_ALLOWED", &p1);
  get_enroll = get (session, server, "/edge/client/v1/enroll");
  tc_assert_error (get_enroll, 405, "METHOD_NOT_ALLOWED", &p2);

  /* /enroll/token exists, but no external JWT signer can vouch for a bearer token */
  token_route = post (session, server, "/edge/client/v1/enroll/token", "application/json", "{}", NULL);
  tc_assert_error (token_route, 400, "INVALID_ENROLLMENT_TOKEN", &p3);
}

/* cacerts ------------------------------------------------------------------- */

static void
test_cacerts_format (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *bundle_pem = tc_server_read (server, "ca-bundle.pem");
  g_autoptr(GPtrArray) expected = tc_pem_certificates (bundle_pem);
  const char *paths[] = { "/.well-known/est/cacerts", "/edge/client/v1/.well-known/est/cacerts",
                          "/edge/v1/.well-known/est/cacerts", "/edge/management/v1/.well-known/est/cacerts" };
  const char *duplicate_accept[] = { "Accept", "application/pkcs7-mime", "Accept", "application/json", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = tc_server_url (server, paths[i]);
      /* the C SDK sends two Accept headers here */
      g_autoptr(TcResponse) resp = tc_request (session, "GET", url, NULL, NULL, 0, NULL, duplicate_accept);
      g_auto(gnutls_pkcs7_t) pkcs7 = NULL;
      g_autofree guchar *der = NULL;
      g_auto(GStrv) lines = NULL;
      gnutls_datum_t datum;
      gsize body_len = 0, der_len = 0;
      const char *body;
      guint n_lines;

      g_assert_no_error (resp->error);
      g_assert_cmpuint (resp->status, ==, 200);
      tc_assert_headers (resp);
      g_assert_cmpstr (soup_message_headers_get_content_type (resp->headers, NULL), ==, "application/pkcs7-mime");
      g_assert_cmpstr (soup_message_headers_get_one (resp->headers, "Content-Transfer-Encoding"), ==, "base64");

      /* 64-column lines separated by \n, no trailing newline, base64 only */
      body = g_bytes_get_data (resp->body, &body_len);
      g_assert_cmpuint (body_len, >, 0);
      g_assert_cmpint (body[body_len - 1], !=, '\n');
      g_assert_null (memchr (body, '\r', body_len));
      {
        g_autofree char *text = g_strndup (body, body_len);

        lines = g_strsplit (text, "\n", -1);
      }
      n_lines = g_strv_length (lines);
      g_assert_cmpuint (n_lines, >, 1);
      for (guint l = 0; l < n_lines; l++)
        {
          gsize len = strlen (lines[l]);

          if (l + 1 < n_lines)
            g_assert_cmpuint (len, ==, 64);
          else
            {
              g_assert_cmpuint (len, >=, 1);
              g_assert_cmpuint (len, <=, 64);
            }
          for (gsize c = 0; c < len; c++)
            g_assert_true (g_ascii_isalnum (lines[l][c]) || strchr ("+/=", lines[l][c]) != NULL);
        }

      /* a certs-only PKCS#7 with exactly the CA bundle */
      {
        g_autofree char *joined = g_strjoinv ("", lines);

        der = g_base64_decode (joined, &der_len);
      }
      datum.data = der;
      datum.size = der_len;
      g_assert_cmpint (gnutls_pkcs7_init (&pkcs7), ==, 0);
      g_assert_cmpint (gnutls_pkcs7_import (pkcs7, &datum, GNUTLS_X509_FMT_DER), ==, 0);
      g_assert_cmpint (gnutls_pkcs7_get_signature_count (pkcs7), ==, 0);
      g_assert_cmpint (gnutls_pkcs7_get_crt_count (pkcs7), ==, (int)expected->len);
      for (guint e = 0; e < expected->len; e++)
        {
          g_autoptr(GBytes) want = crt_der (g_ptr_array_index (expected, e));
          gboolean found = FALSE;

          for (int c = 0; c < gnutls_pkcs7_get_crt_count (pkcs7); c++)
            {
              g_auto(gnutls_datum_t) raw = { NULL, 0 };

              g_assert_cmpint (gnutls_pkcs7_get_crt_raw2 (pkcs7, c, &raw), ==, 0);
              found |= raw.size == g_bytes_get_size (want) &&
                       memcmp (raw.data, g_bytes_get_data (want, NULL), raw.size) == 0;
            }
          g_assert_true (found);
        }
    }
}

static void
test_gzip (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *url = tc_server_url (server, "/version");
  const char *gzip[] = { "Accept-Encoding", "gzip, deflate", NULL };
  const char *refused[] = { "Accept-Encoding", "gzip;q=0, identity", NULL };
  g_autoptr(TcResponse) zipped = NULL;
  g_autoptr(TcResponse) plain = NULL;
  g_autoptr(TcResponse) no_gzip = NULL;
  g_autoptr(GZlibDecompressor) decompressor = NULL;
  g_autoptr(GInputStream) memory = NULL;
  g_autoptr(GInputStream) converter = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  /* see the raw bytes: no transparent decoding */
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);

  zipped = tc_request (session, "GET", url, NULL, NULL, 0, NULL, gzip);
  g_assert_cmpuint (zipped->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (zipped->headers, "Content-Encoding"), ==, "gzip");
  g_assert_cmpuint (g_bytes_get_size (zipped->body), >, 2);
  g_assert_cmpmem (g_bytes_get_data (zipped->body, NULL), 2, "\x1f\x8b", 2);

  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  memory = g_memory_input_stream_new_from_bytes (zipped->body);
  converter = g_converter_input_stream_new (memory, G_CONVERTER (decompressor));
  g_output_stream_splice (out, converter, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  inflated = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  json_parser_load_from_data (parser, g_bytes_get_data (inflated, NULL), g_bytes_get_size (inflated), &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (json_node_get_object (json_parser_get_root (parser)), "data"));

  plain = tc_request (session, "GET", url, NULL, NULL, 0, NULL, NULL);
  g_assert_cmpuint (plain->status, ==, 200);
  g_assert_null (soup_message_headers_get_one (plain->headers, "Content-Encoding"));
  g_assert_true (g_bytes_equal (plain->body, inflated));

  no_gzip = tc_request (session, "GET", url, NULL, NULL, 0, NULL, refused);
  g_assert_null (soup_message_headers_get_one (no_gzip->headers, "Content-Encoding"));
  g_assert_true (g_bytes_equal (no_gzip->body, inflated));
}

static void
test_keepalive (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_ott (server, NULL);
  g_autofree char *path = enroll_path ("ott", jti);
  g_autofree char *csr = tc_make_csr ("keepalive", server->port, GNUTLS_PK_ECDSA, 256, NULL);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(TcResponse) resp = get (session, server, "/version");

      g_assert_cmpuint (resp->status, ==, 200);
      g_assert_null (soup_message_headers_get_one (resp->headers, "Connection"));
    }

  /* an enrollment (answered from a worker thread) on the same connection */
  {
    g_autoptr(TcResponse) resp = post (session, server, path, "text/plain", csr, NULL);

    g_assert_cmpuint (resp->status, ==, 200);
  }
  {
    g_autoptr(TcResponse) resp = get (session, server, "/version");

    g_assert_cmpuint (resp->status, ==, 200);
  }

  g_assert_cmpuint (tc_server_count_log (server, "connection "), ==, 1);
  g_assert_cmpuint (tc_server_count_log (server, "request "), ==, 5);
}

/* tokens -------------------------------------------------------------------- */

static void
test_token_ott (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autoptr(TcResponse) resp = get (session, server, "/version");
  g_autoptr(GBytes) other = tc_server_read_der (server, "other.pem");
  g_autofree char *jwt = tc_server_token (server, NULL);
  g_autofree char *header = tc_jwt_part (jwt, 0);
  g_autofree char *claims = tc_jwt_part (jwt, 1);
  g_autofree char *signature = NULL;
  g_autofree char *kid = NULL;
  g_autofree char *expected_header = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *jti = tc_jwt_string_claim (jwt, "jti");
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  g_autofree char *exp_text = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gsize signature_len = 0;

  /* kid: SHA-1 of the leaf the server presents */
  g_assert_nonnull (resp->peer_der);
  kid = tc_sha1_hex (resp->peer_der);
  expected_header = g_strdup_printf ("{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
  g_assert_cmpstr (header, ==, expected_header);

  /* claims in Go struct order */
  pattern = g_strdup_printf ("^\\{\"iss\":\"https://127\\.0\\.0\\.1:%u\",\"sub\":\"([A-Za-z0-9]+)\","
                             "\"aud\":\\[\"\"\\],\"exp\":([0-9]+),\"jti\":\"([0-9a-f-]{36})\","
                             "\"em\":\"ott\",\"ctrls\":\\[\"tls:127\\.0\\.0\\.1:6262\"\\]\\}$",
                             server->port);
  regex = g_regex_new (pattern, 0, 0, NULL);
  g_assert_true (g_regex_match (regex, claims, 0, &match));
  exp_text = g_match_info_fetch (match, 2);
  g_assert_cmpint (g_ascii_strtoll (exp_text, NULL, 10), >=, now + 3 * 3600 - 60);
  g_assert_cmpint (g_ascii_strtoll (exp_text, NULL, 10), <=, now + 3 * 3600 + 60);

  /* jti: a UUID v4 */
  g_assert_true (g_uuid_string_is_valid (jti));
  g_assert_cmpint (jti[14], ==, '4');
  g_assert_nonnull (strchr ("89ab", jti[19]));

  /* ES256 is raw R||S (64 bytes), verifying against the served leaf only */
  g_assert_null (strchr (jwt, '='));
  signature = tc_b64url_decode (parts[2], &signature_len);
  g_assert_cmpuint (signature_len, ==, 64);
  g_assert_true (tc_jwt_verify (jwt, resp->peer_der));
  g_assert_false (tc_jwt_verify (jwt, other));

  /* recorded for the running server */
  g_assert_true (server_file_exists (server, "enrollments", jti));
}

static void
test_token_options (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autofree char *out = tc_server_path (server, "out.jwt");
  g_autofree char *printed = tc_server_token (server, "--out", out, "--expires-in", "60", NULL);
  g_autofree char *written = tc_server_read (server, "out.jwt");
  g_autofree char *fixed = tc_server_token (server, "--port", "1234", NULL);
  g_autofree char *iss = tc_jwt_string_claim (fixed, "iss");
  g_autofree char *claims = tc_jwt_part (written, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 exp;
  GStatBuf st;

  /* --out: nothing on stdout, the JWT in a private file */
  g_assert_cmpstr (printed, ==, "");
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_str_has_prefix (written, "eyJ"));

  /* --expires-in */
  g_assert_true (json_parser_load_from_data (parser, claims, -1, NULL));
  exp = json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "exp");
  g_assert_cmpint (exp, >=, now + 60 - 30);
  g_assert_cmpint (exp, <=, now + 60 + 30);

  /* --port overrides DIR/port for iss */
  g_assert_cmpstr (iss, ==, "https://127.0.0.1:1234");
}

static void
test_token_signed_by_other (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(GBytes) leaf = tc_server_read_der (server, "server.pem");
  g_autoptr(GBytes) other = tc_server_read_der (server, "other.pem");
  g_autofree char *jwt = tc_server_token (server, "--signed-by", "other", NULL);
  g_autofree char *header = tc_jwt_part (jwt, 0);
  g_autofree char *other_kid = tc_sha1_hex (other);
  g_autofree char *expected = g_strdup_printf ("{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", other_kid);

  g_assert_cmpstr (header, ==, expected);
  g_assert_true (tc_jwt_verify (jwt, other));
  g_assert_false (tc_jwt_verify (jwt, leaf));
}

static void
test_token_network_and_ca (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(GBytes) leaf = tc_server_read_der (server, "server.pem");
  g_autofree char *network = tc_server_token (server, "--method", "network", NULL);
  g_autofree char *ca = tc_server_token (server, "--method", "ca", NULL);
  g_autofree char *network_claims = tc_jwt_part (network, 1);
  g_autofree char *ca_claims = tc_jwt_part (ca, 1);
  g_autofree char *ca_id = config_string (server, "thirdPartyCaId");
  g_autofree char *network_pattern = NULL;
  g_autofree char *ca_expected = NULL;
  g_autofree char *enrollments = tc_server_path (server, "enrollments");
  g_autoptr(GDir) dir = NULL;

  network_pattern = g_strdup_printf ("^\\{\"iss\":\"https://127\\.0\\.0\\.1:%u/\",\"sub\":\"https://127\\.0\\.0\\.1:%u/\","
                                     "\"aud\":\\[\"openziti-enroller\"\\],\"jti\":\"[0-9a-f-]{36}\","
                                     "\"em\":\"network\",\"ctrls\":null\\}$", server->port, server->port);
  g_assert_true (g_regex_match_simple (network_pattern, network_claims, 0, 0));

  ca_expected = g_strdup_printf ("{\"iss\":\"https://127.0.0.1:%u/\",\"sub\":\"%s\",\"aud\":[\"openziti-enroller\"],"
                                 "\"jti\":\"%s\",\"em\":\"ca\",\"ctrls\":null}", server->port, ca_id, ca_id);
  g_assert_cmpstr (ca_claims, ==, ca_expected);

  g_assert_true (tc_jwt_verify (network, leaf));
  g_assert_true (tc_jwt_verify (ca, leaf));

  /* neither needs an enrollment record */
  dir = g_dir_open (enrollments, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
}

static void
test_network_jwts (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *first = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TcResponse) resp = get (session, server, i == 0 ? "/network-jwts" : "/edge/management/v1/network-jwts");
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *root = tc_response_json (resp, &parser);
      JsonArray *data = json_object_get_array_member (root, "data");
      JsonObject *entry;
      const char *token;
      g_autofree char *em = NULL;

      g_assert_cmpuint (resp->status, ==, 200);
      g_assert_cmpuint (json_array_get_length (data), ==, 1);
      entry = json_array_get_object_element (data, 0);
      g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "default");
      token = json_object_get_string_member (entry, "token");
      em = tc_jwt_string_claim (token, "em");
      g_assert_cmpstr (em, ==, "network");
      g_assert_true (tc_jwt_verify (token, resp->peer_der));

      /* one jti per process */
      if (first == NULL)
        first = g_strdup (token);
      g_assert_cmpstr (token, ==, first);
    }
}

/* ott --------------------------------------------------------------------- */

static void
test_ott_success (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *jti = new_ott (server, &sub);
  g_autofree char *csr = tc_make_csr (sub, server->port, GNUTLS_PK_ECDSA, 256, &crq);
  g_autofree char *path = enroll_path ("ott", jti);
  const char *c_sdk[] = { "Accept", "application/json", NULL };
  g_autoptr(TcResponse) resp = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *data;
  gint64 before, after;

  g_assert_true (server_file_exists (server, "enrollments", jti));

  /* exactly what the C SDK sends */
  before = g_get_real_time () / G_USEC_PER_SEC;
  resp = post (session, server, path, "text/plain", csr, c_sdk);
  after = g_get_real_time () / G_USEC_PER_SEC;
  data = ok_data (resp, &parser);

  g_assert_cmpuint (json_object_get_size (data), ==, 2);
  check_issued_chain (server, json_object_get_string_member (data, "cert"), crq, sub, before, after);
  check_controllers (server, data);

  /* consumed, atomically moved */
  g_assert_false (server_file_exists (server, "enrollments", jti));
  g_assert_true (server_file_exists (server, "consumed", jti));
}

static void
test_ott_content_types (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  const char *types[] = { "application/x-pem-file", "application/pkcs7", "text/plain; charset=utf-8", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_auto(gnutls_x509_crq_t) crq = NULL;
      g_autofree char *sub = NULL;
      g_autofree char *jti = new_ott (server, &sub);
      g_autofree char *csr = tc_make_csr (sub, server->port, GNUTLS_PK_ECDSA, 256, &crq);
      /* the Go SDK: sorted query, no Accept; also at the root path */
      g_autofree char *path = g_strdup_printf ("%s?method=ott&token=%s",
                                               i % 2 ? "/enroll" : "/edge/client/v1/enroll", jti);
      g_autoptr(TcResponse) resp = post (session, server, path, types[i], csr, NULL);
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *data = ok_data (resp, &parser);
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      check_issued_chain (server, json_object_get_string_member (data, "cert"), crq, sub, now - 30, now);
    }
}

static void
test_ott_json_routes (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);

  for (guint i = 0; i < 3; i++)
    {
      g_auto(gnutls_x509_crq_t) crq = NULL;
      g_autofree char *sub = NULL;
      g_autofree char *jti = new_ott (server, &sub);
      g_autofree char *csr = tc_make_csr (sub, server->port, GNUTLS_PK_ECDSA, 256, &crq);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *body = NULL;
      g_autofree char *path = NULL;
      g_autoptr(TcResponse) resp = NULL;
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *data;
      gint64 now;

      json_builder_begin_object (builder);
      if (i < 2)
        {
          json_builder_set_member_name (builder, "token");
          json_builder_add_string_value (builder, jti);
        }
      json_builder_set_member_name (builder, "clientCsr");
      json_builder_add_string_value (builder, csr);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      body = json_to_string (node, FALSE);

      if (i == 0)
        path = g_strdup ("/edge/client/v1/enroll/ott");        /* spec route */
      else if (i == 1)
        path = g_strdup ("/enroll/ott");                       /* at the root */
      else
        path = g_strdup_printf ("/edge/v1/enroll?method=ott&token=%s", jti);   /* generic JSON, legacy alias */

      resp = post (session, server, path, "application/json", body, NULL);
      data = ok_data (resp, &parser);
      now = g_get_real_time () / G_USEC_PER_SEC;
      check_issued_chain (server, json_object_get_string_member (data, "cert"), crq, sub, now - 30, now);
      check_controllers (server, data);
    }
}

static void
test_ott_method_from_token (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_ott (server, NULL);
  g_autofree char *csr = tc_make_csr ("x", server->port, GNUTLS_PK_ECDSA, 256, NULL);
  g_autofree char *path = g_strdup_printf ("/edge/client/v1/enroll?token=%s", jti);
  g_autoptr(TcResponse) resp = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *data;

  /* no method: looked up from the token; and no Content-Type at all */
  resp = post (session, server, path, NULL, csr, NULL);
  data = ok_data (resp, &parser);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (data, "cert"), "-----BEGIN CERTIFICATE-----\n"));
}

/* A CSR with a DNS SAN, CA:TRUE and serverAuth: the controller ignores them all. */
static char *
make_greedy_csr (guint               port,
                 gnutls_x509_crq_t  *out_crq)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_privkey_t) signer = NULL;
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_datum_t) pem = { NULL, 0 };

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP384R1), 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_dn (crq, "CN=greedy,O=Evil Corp", NULL), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_key (crq, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_subject_alt_name (crq, GNUTLS_SAN_DNSNAME, "evil.example", 12,
                                                         GNUTLS_FSAN_APPEND), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_basic_constraints (crq, 1, -1), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_key_purpose_oid (crq, GNUTLS_KP_TLS_WWW_SERVER, 0), ==, 0);
  g_assert_cmpint (gnutls_privkey_init (&signer), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (signer, key, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_privkey_sign (crq, signer, GNUTLS_DIG_SHA384, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_PEM, &pem), ==, 0);

  *out_crq = g_steal_pointer (&crq);
  return g_strndup ((const char *)pem.data, pem.size);
}

static void
test_ott_csr_extensions_ignored (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  guint i;

  for (i = 0; i < 2; i++)
    {
      g_auto(gnutls_x509_crq_t) crq = NULL;
      g_autofree char *sub = NULL;
      g_autofree char *jti = new_ott (server, &sub);
      /* 0: P-384 with hostile extensions; 1: an RSA-2048 key (the Go SDK's RSA case) */
      g_autofree char *csr = i == 0 ? make_greedy_csr (server->port, &crq)
                                    : tc_make_csr (sub, server->port, GNUTLS_PK_RSA, 2048, &crq);
      g_autofree char *path = enroll_path ("ott", jti);
      g_autoptr(TcResponse) resp = post (session, server, path, "application/x-pem-file", csr, NULL);
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *data = ok_data (resp, &parser);
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      /* checks exactly one SAN (the SPIFFE one), clientAuth only, not a CA */
      check_issued_chain (server, json_object_get_string_member (data, "cert"), crq, sub, now - 30, now);
    }
}

static void
test_ott_reuse_and_unknown (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_ott (server, NULL);
  g_autofree char *csr = tc_make_csr ("x", server->port, GNUTLS_PK_ECDSA, 256, NULL);
  g_autofree char *path = enroll_path ("ott", jti);
  g_autofree char *random = g_uuid_string_random ();
  g_autofree char *unknown = enroll_path ("ott", random);
  g_autofree char *traversal = enroll_path ("ott", "..%2Fcontroller");
  const char *paths[] = { unknown, traversal, "/edge/client/v1/enroll?method=ott" };
  g_autoptr(TcResponse) first = NULL;
  g_autoptr(TcResponse) second = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) parser2 = NULL;

  first = post (session, server, path, "text/plain", csr, NULL);
  g_assert_cmpuint (first->status, ==, 200);

  /* single use */
  second = post (session, server, path, "text/plain", csr, NULL);
  tc_assert_error (second, 400, "INVALID_ENROLLMENT_TOKEN", &parser);

  /* unknown, malformed or missing tokens */
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TcResponse) resp = post (session, server, paths[i], "text/plain", csr, NULL);
      g_autoptr(JsonParser) p = NULL;

      tc_assert_error (resp, 400, "INVALID_ENROLLMENT_TOKEN", &p);
    }

  /* same answer on the spec route */
  {
    g_autofree char *body = g_strdup_printf ("{\"token\":\"%s\",\"clientCsr\":\"x\"}", jti);
    g_autoptr(TcResponse) resp = post (session, server, "/enroll/ott", "application/json", body, NULL);

    tc_assert_error (resp, 400, "INVALID_ENROLLMENT_TOKEN", &parser2);
  }
}

static void
test_ott_expired (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jwt = tc_server_token (server, "--expires-in", "-60", NULL);
  g_autofree char *jti = tc_jwt_string_claim (jwt, "jti");
  g_autofree char *csr = tc_make_csr ("x", server->port, GNUTLS_PK_ECDSA, 256, NULL);
  g_autofree char *path = enroll_path ("ott", jti);
  g_autofree char *claims = tc_jwt_part (jwt, 1);
  g_autoptr(JsonParser) claims_parser = json_parser_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (json_parser_load_from_data (claims_parser, claims, -1, NULL));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (claims_parser)), "exp"),
                   <, now);

  /* expired records stay, and keep answering ENROLLMENT_EXPIRED */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TcResponse) resp = post (session, server, path, "text/plain", csr, NULL);
      g_autoptr(JsonParser) parser = NULL;

      tc_assert_error (resp, 400, "ENROLLMENT_EXPIRED", &parser);
      g_assert_true (server_file_exists (server, "enrollments", jti));
    }
}

static void
test_ott_wrong_method (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_ott (server, NULL);
  g_autofree char *csr = tc_make_csr ("x", server->port, GNUTLS_PK_ECDSA, 256, NULL);
  g_autofree char *as_updb = enroll_path ("updb", jti);
  g_autofree char *as_ottca = enroll_path ("ottca", jti);
  g_autofree char *as_bogus = enroll_path ("bogus", jti);
  g_autofree char *as_ott = enroll_path ("ott", jti);
  const char *paths[] = { as_updb, as_ottca, as_bogus };
  g_autoptr(TcResponse) ok = NULL;
  g_autoptr(JsonParser) parser = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TcResponse) resp = post (session, server, paths[i], "text/plain", csr, NULL);
      g_autoptr(JsonParser) p = NULL;

      tc_assert_error (resp, 400, "INVALID_ENROLL_METHOD", &p);
    }

  /* a wrong method does not use the token up */
  ok = post (session, server, as_ott, "text/plain", csr, NULL);
  ok_data (ok, &parser);
}

static void
test_ott_bad_csr (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_ott (server, NULL);
  g_autofree char *path = enroll_path ("ott", jti);
  g_autofree char *csr = tc_make_csr ("x", server->port, GNUTLS_PK_ECDSA, 256, NULL);
  g_autofree char *two_newlines = g_strconcat (csr, "\n", NULL);
  g_autofree char *trailing_space_line = g_strconcat (csr, " ", NULL);
  g_autofree char *two_blocks = g_strconcat (csr, csr, NULL);
  g_autofree char *tampered = g_strdup (csr);
  g_autofree char *not_pem = g_strdup ("this is not a certificate request");
  g_autofree char *bad_base64 = g_strdup ("-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n");
  g_autofree char *not_der = g_strdup ("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
  const char *bodies[] = { "", not_pem, bad_base64, not_der, two_newlines, trailing_space_line, two_blocks, tampered };
  char *middle;

  /* flip one base64 character near the end (the signature): the check fails */
  middle = strstr (tampered, "-----END") - 1;
  while (!g_ascii_isalnum (*middle))
    middle--;
  middle -= 4;
  while (!g_ascii_isalnum (*middle))
    middle--;
  *middle = *middle == 'A' ? 'B' : 'A';

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(TcResponse) resp = post (session, server, path, "text/plain", bodies[i], NULL);
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *error = tc_assert_error (resp, 400, "COULD_NOT_PROCESS_CSR", &parser);
      JsonObject *cause = json_object_get_object_member (error, "cause");

      g_test_message ("bad CSR %u", i);
      g_assert_nonnull (cause);
      g_assert_cmpstr (json_object_get_string_member (cause, "code"), ==, "UNHANDLED");
      g_assert_cmpuint (strlen (json_object_get_string_member (cause, "message")), >, 0);
    }

  /* the token survived every failure; text before the block and CRLF are fine */
  {
    g_autofree char *body = NULL;
    g_autoptr(TcResponse) resp = NULL;
    g_autoptr(JsonParser) parser = NULL;
    GString *s = g_string_new ("Certificate request follows\n");

    for (const char *p = csr; *p != '\0'; p++)
      {
        if (*p == '\n')
          g_string_append (s, "\r\n");
        else
          g_string_append_c (s, *p);
      }
    body = g_string_free (s, FALSE);
    resp = post (session, server, path, "text/plain", body, NULL);
    ok_data (resp, &parser);
  }
}

static void
test_ott_accept_rules (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_ott (server, NULL);
  g_autofree char *path = enroll_path ("ott", jti);
  g_autofree char *csr = tc_make_csr ("x", server->port, GNUTLS_PK_ECDSA, 256, NULL);
  const char *html[] = { "Accept", "text/html", NULL };
  const char *pem_only[] = { "Accept", "application/x-pem-file", NULL };
  const char *json_like[] = { "Accept", "application/jsonp, application/*", NULL };
  /* libsoup merges these into "text/html, application/json" */
  const char *duplicate[] = { "Accept", "text/html", "Accept", "application/json;q=0.5", NULL };
  const char * const *refused[] = { html, pem_only, json_like };
  g_autoptr(TcResponse) ok = NULL;
  g_autoptr(JsonParser) parser = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(TcResponse) resp = post (session, server, path, "application/x-pem-file", csr, refused[i]);
      g_autoptr(JsonParser) p = NULL;

      tc_assert_error (resp, 415, "UNSUPPORTED_MEDIA", &p);
    }

  /* refused requests did not touch the token */
  ok = post (session, server, path, "application/x-pem-file", csr, duplicate);
  ok_data (ok, &parser);
}

static void
test_ott_bad_body (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_ott (server, NULL);
  g_autofree char *generic = enroll_path ("ott", jti);
  g_autofree char *wrong_type = g_strdup_printf ("{\"token\":\"%s\",\"clientCsr\":5}", jti);
  const char *bodies[] = { "{not json", "[1,2,3]", wrong_type };
  g_autoptr(TcResponse) xml = NULL;
  g_autoptr(TcResponse) missing = NULL;
  g_autoptr(JsonParser) p1 = NULL;
  g_autoptr(JsonParser) p2 = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(TcResponse) resp = post (session, server, "/edge/client/v1/enroll/ott", "application/json",
                                         bodies[i], NULL);
      g_autoptr(JsonParser) p = NULL;

      tc_assert_error (resp, 400, "COULD_NOT_PARSE_BODY", &p);
    }

  /* an unknown Content-Type on a spec route: go-openapi's 415 surfaces as UNHANDLED */
  xml = post (session, server, generic, "application/xml", "<csr/>", NULL);
  tc_assert_error (xml, 500, "UNHANDLED", &p1);

  /* JSON without clientCsr */
  missing = post (session, server, generic, "application/json", "{}", NULL);
  tc_assert_error (missing, 400, "COULD_NOT_PROCESS_CSR", &p2);
}

static void
test_ott_legacy_pem (void)
{
  const char *args[] = { "--legacy-pem", NULL };
  g_autoptr(TcServer) server = tc_server_new (args);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *root_pem = tc_server_read (server, "root-ca.pem");
  const char *json[] = { "Accept", "application/json", NULL };
  const char *json_params[] = { "Accept", "application/json; charset=utf-8", NULL };
  const char *any[] = { "Accept", "*/*", NULL };
  const char *pem[] = { "Accept", "application/x-pem-file", NULL };
  const struct
  {
    const char * const *headers;
    gboolean            want_json;
  } cases[] = {
    { NULL, FALSE },          /* the Go SDK: no Accept */
    { json, TRUE },           /* the C SDK */
    { json_params, TRUE },    /* exact before ';' */
    { any, FALSE },
    { pem, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *jti = new_ott (server, NULL);
      g_autofree char *path = enroll_path ("ott", jti);
      g_autofree char *csr = tc_make_csr ("x", server->port, GNUTLS_PK_ECDSA, 256, NULL);
      g_autoptr(TcResponse) resp = post (session, server, path, "application/x-pem-file", csr, cases[i].headers);
      g_autoptr(JsonParser) parser = NULL;

      g_assert_cmpuint (resp->status, ==, 200);
      if (cases[i].want_json)
        {
          JsonObject *data = ok_data (resp, &parser);

          g_assert_true (json_object_has_member (data, "cert"));
        }
      else
        {
          g_autofree char *body = g_strndup (g_bytes_get_data (resp->body, NULL), g_bytes_get_size (resp->body));
          g_autoptr(GPtrArray) chain = tc_pem_certificates (body);

          g_assert_cmpstr (soup_message_headers_get_one (resp->headers, "Content-Type"), ==,
                           "application/x-pem-file");
          g_assert_true (g_str_has_prefix (body, "-----BEGIN CERTIFICATE-----\n"));
          g_assert_cmpuint (chain->len, ==, 2);
          g_assert_cmpuint (tc_verify_chain (chain, root_pem, KP_CLIENT), ==, 0);
        }
    }
}

/* ottca -------------------------------------------------------------------- */

static GTlsCertificate *
third_party_client (TcServer *server)
{
  g_autofree char *cert = tc_server_read (server, "third-party-client.pem");
  g_autofree char *key = tc_server_read (server, "third-party-client-key.pem");

  return tc_client_certificate (cert, key);
}

static void
test_ottca_success (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(GTlsCertificate) cert = third_party_client (server);
  g_autofree char *jti = new_token (server, "ottca");
  g_autofree char *path = enroll_path ("ottca", jti);
  g_autofree char *cert_pem = tc_server_read (server, "third-party-client.pem");
  g_autoptr(GPtrArray) certs = tc_pem_certificates (cert_pem);
  g_autoptr(GBytes) der = crt_der (g_ptr_array_index (certs, 0));
  g_autofree char *fingerprint = tc_sha1_hex (der);
  g_autofree char *authenticator = g_strconcat (fingerprint, ".json", NULL);
  g_autofree char *authenticator_path = g_build_filename (server->dir, "authenticators", authenticator, NULL);
  g_autoptr(TcResponse) resp = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *data;

  /* the C SDK: application/json with {"name":…} */
  resp = post_with_cert (server, path, "application/json", "{\"name\":\"/tmp/my-laptop.json\"}", cert);
  data = ok_data (resp, &parser);
  g_assert_cmpuint (json_object_get_size (data), ==, 1);
  check_controllers (server, data);

  g_assert_true (server_file_exists (server, "consumed", jti));
  g_assert_true (g_file_test (authenticator_path, G_FILE_TEST_EXISTS));
}

static void
test_ottca_variants (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *key_pem = NULL;
      /* 0: no EKU at all (Go: any usage); 1: clientAuth */
      g_autofree char *cert_pem = tc_issue_third_party_cert (server, i == 0 ? NULL : KP_CLIENT, &key_pem);
      g_autoptr(GTlsCertificate) cert = tc_client_certificate (cert_pem, key_pem);
      g_autofree char *jti = new_token (server, "ottca");
      g_autofree char *path = NULL;
      g_autofree char *body = NULL;
      g_autoptr(TcResponse) resp = NULL;
      g_autoptr(JsonParser) parser = NULL;

      if (i == 0)
        {
          /* spec route with {"token":…} */
          body = g_strdup_printf ("{\"token\":\"%s\"}", jti);
          resp = post_with_cert (server, "/edge/client/v1/enroll/ottca", "application/json", body, cert);
        }
      else
        {
          /* the Go SDK: text/plain, empty body */
          path = enroll_path ("ottca", jti);
          resp = post_with_cert (server, path, "text/plain", "", cert);
        }
      ok_data (resp, &parser);
      g_assert_true (server_file_exists (server, "consumed", jti));
    }
}

static void
test_ottca_invalid_cert (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_token (server, "ottca");
  g_autofree char *path = enroll_path ("ottca", jti);
  g_autofree char *other_pem = tc_server_read (server, "other.pem");
  g_autofree char *other_key = tc_server_read (server, "other-key.pem");
  g_autofree char *server_key_pem = NULL;
  g_autofree char *server_only_pem = tc_issue_third_party_cert (server, GNUTLS_KP_TLS_WWW_SERVER, &server_key_pem);
  g_autoptr(GTlsCertificate) unrelated = tc_client_certificate (other_pem, other_key);
  g_autoptr(GTlsCertificate) server_only = tc_client_certificate (server_only_pem, server_key_pem);
  g_autoptr(GTlsCertificate) issued_here = NULL;
  g_autoptr(TcResponse) ok = NULL;
  g_autoptr(JsonParser) ok_parser = NULL;

  /* a certificate issued by the controller itself (through ott) is not from the third-party CA */
  {
    g_autofree char *ott = new_ott (server, NULL);
    g_autofree char *ott_path = enroll_path ("ott", ott);
    g_auto(gnutls_x509_privkey_t) key = NULL;
    g_auto(gnutls_privkey_t) signer = NULL;
    g_auto(gnutls_x509_crq_t) crq = NULL;
    g_auto(gnutls_datum_t) csr = { NULL, 0 };
    g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
    g_autoptr(TcResponse) resp = NULL;
    g_autoptr(JsonParser) parser = NULL;
    g_autofree char *key_text = NULL;
    g_autofree char *csr_text = NULL;

    g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
    g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA, 256, 0), ==, 0);
    g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
    g_assert_cmpint (gnutls_x509_crq_set_dn (crq, "CN=issued-here", NULL), ==, 0);
    g_assert_cmpint (gnutls_x509_crq_set_key (crq, key), ==, 0);
    g_assert_cmpint (gnutls_privkey_init (&signer), ==, 0);
    g_assert_cmpint (gnutls_privkey_import_x509 (signer, key, 0), ==, 0);
    g_assert_cmpint (gnutls_x509_crq_privkey_sign (crq, signer, GNUTLS_DIG_SHA256, 0), ==, 0);
    g_assert_cmpint (gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_PEM, &csr), ==, 0);
    g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                        &key_pem), ==, 0);
    key_text = g_strndup ((const char *)key_pem.data, key_pem.size);
    csr_text = g_strndup ((const char *)csr.data, csr.size);

    resp = post (session, server, ott_path, "text/plain", csr_text, NULL);
    issued_here = tc_client_certificate (json_object_get_string_member (ok_data (resp, &parser), "cert"),
                                         key_text);
  }

  {
    GTlsCertificate *bad[] = { NULL, unrelated, server_only, issued_here };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(TcResponse) resp = post_with_cert (server, path, "application/json", "", bad[i]);
        g_autoptr(JsonParser) parser = NULL;

        g_test_message ("ottca case %u", i);
        tc_assert_error (resp, 400, "CERTIFICATE_FAILED_VALIDATION", &parser);
      }
  }

  /* the token is still there for a good certificate */
  {
    g_autoptr(GTlsCertificate) good = third_party_client (server);

    ok = post_with_cert (server, path, "application/json", "", good);
    ok_data (ok, &ok_parser);
  }
}

static void
test_ottca_cert_in_use (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(GTlsCertificate) cert = third_party_client (server);
  g_autofree char *first_jti = new_token (server, "ottca");
  g_autofree char *second_jti = new_token (server, "ottca");
  g_autofree char *first = enroll_path ("ottca", first_jti);
  g_autofree char *second = enroll_path ("ottca", second_jti);
  g_autoptr(GBytes) der = tc_server_read_der (server, "third-party-client.pem");
  g_autofree char *fingerprint = tc_sha1_hex (der);
  g_autoptr(TcResponse) ok = NULL;
  g_autoptr(TcResponse) conflict = NULL;
  g_autoptr(JsonParser) p1 = NULL;
  g_autoptr(JsonParser) p2 = NULL;
  JsonObject *error, *cause;

  ok = post_with_cert (server, first, "application/json", "", cert);
  ok_data (ok, &p1);

  conflict = post_with_cert (server, second, "application/json", "", cert);
  error = tc_assert_error (conflict, 409, "CERT_IN_USE", &p2);
  cause = json_object_get_object_member (error, "cause");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (cause, "data"), "fingerprint"),
                   ==, fingerprint);

  /* the conflicting enrollment was not used up */
  g_assert_true (server_file_exists (server, "enrollments", second_jti));
}

/* ca ------------------------------------------------------------------------ */

static void
test_ca_success_and_in_use (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(GTlsCertificate) cert = third_party_client (server);
  g_autofree char *key_pem = NULL;
  g_autofree char *cert_pem = tc_issue_third_party_cert (server, KP_CLIENT, &key_pem);
  g_autoptr(GTlsCertificate) cert2 = tc_client_certificate (cert_pem, key_pem);
  g_autoptr(TcResponse) c_sdk = NULL;
  g_autoptr(TcResponse) spec = NULL;
  g_autoptr(TcResponse) again = NULL;
  g_autoptr(JsonParser) p1 = NULL;
  g_autoptr(JsonParser) p2 = NULL;
  g_autoptr(JsonParser) p3 = NULL;

  /* the C SDK: ?method=ca without a token, application/json, empty body */
  c_sdk = post_with_cert (server, "/edge/client/v1/enroll?method=ca", "application/json", "", cert);
  g_assert_cmpuint (c_sdk->status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (c_sdk->body, NULL), g_bytes_get_size (c_sdk->body),
                   "{\"data\":{},\"meta\":{}}\n", strlen ("{\"data\":{},\"meta\":{}}\n"));
  g_assert_cmpuint (json_object_get_size (ok_data (c_sdk, &p1)), ==, 0);

  /* the spec route with a name */
  spec = post_with_cert (server, "/enroll/ca", "application/json", "{\"name\":\"laptop\"}", cert2);
  g_assert_cmpuint (json_object_get_size (ok_data (spec, &p2)), ==, 0);

  /* the same certificate again */
  again = post_with_cert (server, "/edge/client/v1/enroll?method=ca", "application/json", "", cert);
  tc_assert_error (again, 409, "CERT_IN_USE", &p3);
}

static void
test_ca_invalid_cert (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autofree char *other_pem = tc_server_read (server, "other.pem");
  g_autofree char *other_key = tc_server_read (server, "other-key.pem");
  g_autoptr(GTlsCertificate) unrelated = tc_client_certificate (other_pem, other_key);
  GTlsCertificate *bad[] = { NULL, unrelated };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(TcResponse) resp = post_with_cert (server, "/edge/client/v1/enroll?method=ca", "application/json",
                                                   "", bad[i]);
      g_autoptr(JsonParser) parser = NULL;

      tc_assert_error (resp, 400, "CERT_FAILED_VALIDATION", &parser);
    }
}

/* updb ---------------------------------------------------------------------- */

static void
test_updb_success (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *jwt = tc_server_token (server, "--method", "updb", "--identity", "alice", NULL);
      g_autofree char *jti = tc_jwt_string_claim (jwt, "jti");
      g_autofree char *em = tc_jwt_string_claim (jwt, "em");
      g_autofree char *path = i == 0 ? enroll_path ("updb", jti)
                                     : g_strdup_printf ("/edge/client/v1/enroll/updb?token=%s", jti);
      g_autoptr(TcResponse) resp = NULL;
      g_autoptr(JsonParser) parser = NULL;
      g_autofree char *log = NULL;
      JsonObject *data;

      g_assert_cmpstr (em, ==, "updb");

      /* the Go SDK's body; the username sent is ignored */
      resp = post (session, server, path, "application/json",
                   "{\"password\":\"correct horse battery staple\",\"username\":\"mallory\"}", NULL);
      data = ok_data (resp, &parser);
      g_assert_cmpstr (json_object_get_string_member (data, "username"), ==, "alice");
      check_controllers (server, data);
      g_assert_true (server_file_exists (server, "consumed", jti));

      /* never logged */
      log = tc_server_read (server, "access.log");
      g_assert_null (strstr (log, "horse"));
      g_assert_null (strstr (log, jti));
    }
}

static void
test_updb_empty_password (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autofree char *jti = new_token (server, "updb");
  g_autofree char *path = enroll_path ("updb", jti);
  const char *bodies[] = { "{\"password\":\"\"}", "{\"username\":\"bob\"}", "" };
  g_autoptr(TcResponse) ok = NULL;
  g_autoptr(JsonParser) parser = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(TcResponse) resp = post (session, server, path, "application/json", bodies[i], NULL);
      g_autoptr(JsonParser) p = NULL;

      tc_assert_error (resp, 500, "UNHANDLED", &p);
    }

  ok = post (session, server, path, "application/json", "{\"password\":\"pw\"}", NULL);
  ok_data (ok, &parser);
}

static void
test_access_log (void)
{
  g_autoptr(TcServer) server = tc_server_new (NULL);
  g_autoptr(SoupSession) session = tc_session_new (server);
  g_autoptr(SoupSession) session2 = tc_session_new (server);
  g_autofree char *jti = new_ott (server, NULL);
  g_autofree char *path = enroll_path ("ott", jti);
  g_autofree char *csr = tc_make_csr ("x", server->port, GNUTLS_PK_ECDSA, 256, NULL);
  g_autoptr(TcResponse) a = get (session, server, "/version");
  g_autoptr(TcResponse) b = post (session2, server, path, "text/plain", csr, NULL);
  g_autoptr(TcResponse) c = post (session2, server, path, "text/plain", csr, NULL);
  g_autofree char *log = NULL;

  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpuint (c->status, ==, 400);

  tc_server_stop (server);
  log = tc_server_read (server, "access.log");
  g_test_message ("%s", log);
  g_assert_cmpuint (tc_server_count_log (server, "connection 1 from 127.0.0.1:"), ==, 1);
  g_assert_cmpuint (tc_server_count_log (server, "connection 2 from 127.0.0.1:"), ==, 1);
  g_assert_cmpuint (tc_server_count_log (server, "connection 3 "), ==, 0);
  g_assert_cmpuint (tc_server_count_log (server, "request GET /version 200"), ==, 1);
  g_assert_cmpuint (tc_server_count_log (server, "request POST /edge/client/v1/enroll 200"), ==, 1);
  g_assert_cmpuint (tc_server_count_log (server, "request POST /edge/client/v1/enroll 400"), ==, 1);
  g_assert_null (strstr (log, jti));
  g_assert_null (strstr (log, "BEGIN"));
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

  g_test_add_func ("/controller/cli/usage", test_cli_usage);
  g_test_add_func ("/controller/init/files", test_init_files);
  g_test_add_func ("/controller/init/host", test_init_host);
  g_test_add_func ("/controller/serve/listening", test_serve_listening);
  g_test_add_func ("/controller/serve/access-log", test_access_log);
  g_test_add_func ("/controller/serve/keepalive", test_keepalive);
  g_test_add_func ("/controller/serve/gzip", test_gzip);
  g_test_add_func ("/controller/version", test_version);
  g_test_add_func ("/controller/not-found", test_not_found);
  g_test_add_func ("/controller/cacerts/format", test_cacerts_format);
  g_test_add_func ("/controller/token/ott", test_token_ott);
  g_test_add_func ("/controller/token/options", test_token_options);
  g_test_add_func ("/controller/token/signed-by-other", test_token_signed_by_other);
  g_test_add_func ("/controller/token/network-and-ca", test_token_network_and_ca);
  g_test_add_func ("/controller/network-jwts", test_network_jwts);
  g_test_add_func ("/controller/ott/success", test_ott_success);
  g_test_add_func ("/controller/ott/content-types", test_ott_content_types);
  g_test_add_func ("/controller/ott/json-routes", test_ott_json_routes);
  g_test_add_func ("/controller/ott/method-from-token", test_ott_method_from_token);
  g_test_add_func ("/controller/ott/csr-extensions-ignored", test_ott_csr_extensions_ignored);
  g_test_add_func ("/controller/ott/reuse-and-unknown", test_ott_reuse_and_unknown);
  g_test_add_func ("/controller/ott/expired", test_ott_expired);
  g_test_add_func ("/controller/ott/wrong-method", test_ott_wrong_method);
  g_test_add_func ("/controller/ott/bad-csr", test_ott_bad_csr);
  g_test_add_func ("/controller/ott/accept-rules", test_ott_accept_rules);
  g_test_add_func ("/controller/ott/bad-body", test_ott_bad_body);
  g_test_add_func ("/controller/ott/legacy-pem", test_ott_legacy_pem);
  g_test_add_func ("/controller/ottca/success", test_ottca_success);
  g_test_add_func ("/controller/ottca/variants", test_ottca_variants);
  g_test_add_func ("/controller/ottca/invalid-cert", test_ottca_invalid_cert);
  g_test_add_func ("/controller/ottca/cert-in-use", test_ottca_cert_in_use);
  g_test_add_func ("/controller/ca/success-and-in-use", test_ca_success_and_in_use);
  g_test_add_func ("/controller/ca/invalid-cert", test_ca_invalid_cert);
  g_test_add_func ("/controller/updb/success", test_updb_success);
  g_test_add_func ("/controller/updb/empty-password", test_updb_empty_password);

  return g_test_run ();
}
