/* ze-tc-server.c: the HTTPS side of the test controller (`serve`)
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Connections are accepted here with a GSocketService, wrapped in a
 * GTlsServerConnection that requests (but does not require) a client
 * certificate, handshaken, counted in access.log, and only then given to
 * SoupServer with soup_server_accept_iostream(). That gives exact
 * connection counts, a per-connection choice of server certificate (the
 * wrong-cert-after-first fault) and the client chain for ottca and ca.
 */

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libsoup/soup.h>

#include "ze-tc-private.h"

#define ENDLESS_TOTAL   (64 * 1024 * 1024)
#define ENDLESS_CHUNK   (64 * 1024)

#define MSG_NOT_FOUND          "The resource requested was not found or is no longer available"
#define MSG_METHOD_NOT_ALLOWED "The resource requested does not support this HTTP verb"
#define MSG_UNHANDLED          "An unhandled error occurred"
#define MSG_PARSE_BODY         "The body of the request could not be parsed"
#define MSG_EXPIRED            "The window for this enrollment has expired"
#define MSG_PROCESS_CSR        "The supplied csr could not be processed"
#define MSG_INVALID_TOKEN      "The supplied token is not valid"
#define MSG_INVALID_METHOD     "The supplied enrollment method is not valid"
#define MSG_CERT_VALIDATION    "The supplied certificate failed to validate against the CA's certificate chain"
#define MSG_CERT_FAILED        "certificate failed to validate against CA"
#define MSG_CERT_IN_USE        "The certificate supplied is already associated with another identity"
#define MSG_UNSUPPORTED_MEDIA  "No suitable accept media types were detected, supports: application/json"

typedef enum
{
  ROUTE_NONE,
  ROUTE_VERSION,
  ROUTE_CACERTS,
  ROUTE_NETWORK_JWTS,
  ROUTE_EXTERNAL_JWT_SIGNERS,
  ROUTE_ENROLL,
  ROUTE_ENROLL_OTT,
  ROUTE_ENROLL_OTTCA,
  ROUTE_ENROLL_CA,
  ROUTE_ENROLL_UPDB,
  ROUTE_ENROLL_TOKEN,
} Route;

typedef struct
{
  ZeTcServeOptions  options;
  ZeTcPki          *pki;
  char             *dir;
  char             *iss;
  char             *instance_id;
  char             *started_at;
  char             *network_jwt;
  char             *cacerts_body;
  GTlsCertificate  *server_cert;
  GTlsCertificate  *other_cert;
  SoupServer       *soup;
  GSocketService   *service;
  GMainLoop        *loop;
  FILE             *access_log;
  GHashTable       *connections;
  GBytes           *padding_space;
  GBytes           *padding_newline;
  guint             n_connections;
} Server;

/* One accepted TCP connection, keyed by its remote "ip:port". */
typedef struct
{
  Server    *server;
  char      *key;
  guint      number;
  GSocket   *socket;
  GPtrArray *peer_chain;
} Connection;

typedef struct
{
  guint     status;
  char     *content_type;
  GBytes   *body;
  gboolean  drop;
} Response;

typedef struct
{
  Server            *server;
  SoupServerMessage *msg;
  char              *http_method;
  char              *path;
  Route              route;
  char              *content_type;
  char              *accept;
  char              *query_method;
  char              *query_token;
  GBytes            *body;
  GPtrArray         *peer_chain;
  gboolean           gzip;
  gboolean           paused;
  gboolean           delayed;
  gboolean           finished;
  gboolean           wrote_body;
  gboolean           answered;
  gboolean           dropped;
  gsize              endless_sent;
  gboolean           endless_done;
  GBytes            *endless_padding;
  GBytes            *endless_tail;
  Response          *pending;
} Request;

static void answer (Request  *req,
                    Response *resp);

/* Access log ---------------------------------------------------------- */

G_GNUC_PRINTF (2, 3)
static void
access_log (Server     *self,
            const char *format,
            ...)
{
  va_list args;

  if (self->access_log == NULL)
    return;

  va_start (args, format);
  vfprintf (self->access_log, format, args);
  va_end (args);
  fputc ('\n', self->access_log);
  fflush (self->access_log);
}

/* Responses ------------------------------------------------------------ */

static void
response_free (Response *resp)
{
  if (resp == NULL)
    return;

  g_free (resp->content_type);
  g_clear_pointer (&resp->body, g_bytes_unref);
  g_free (resp);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static Response *
response_new (guint       status,
              const char *content_type,
              GBytes     *body)
{
  Response *resp = g_new0 (Response, 1);

  resp->status = status;
  resp->content_type = g_strdup (content_type);
  resp->body = body != NULL ? g_bytes_ref (body) : g_bytes_new_static ("", 0);

  return resp;
}

/* Compact JSON plus the trailing newline of Go's json.Encoder. */
static Response *
json_response (guint     status,
               JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GBytes) body = NULL;
  gsize len = 0;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  text = g_realloc (text, len + 2);
  text[len] = '\n';
  text[len + 1] = '\0';
  body = g_bytes_new_take (text, len + 1);

  return response_new (status, "application/json", body);
}

/* {"data": @data, "meta": {}}; takes @data. */
static Response *
ok_response (JsonNode *data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_add_value (builder, data);
  json_builder_set_member_name (builder, "meta");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_response (SOUP_STATUS_OK, root);
}

/* The §6.1 envelope. @cause is consumed. */
static Response *
error_response (guint       status,
                const char *code,
                const char *message,
                JsonNode   *cause)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *request_id = ze_tc_short_id ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  if (cause != NULL)
    {
      json_builder_set_member_name (builder, "cause");
      json_builder_add_value (builder, cause);
    }
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "requestId");
  json_builder_add_string_value (builder, request_id);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "meta");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "apiEnrollmentVersion");
  json_builder_add_string_value (builder, "0.0.1");
  json_builder_set_member_name (builder, "apiVersion");
  json_builder_add_string_value (builder, "0.0.1");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_response (status, root);
}

/* A plain Go error as a cause: {"code":"UNHANDLED","message":…}. */
static JsonNode *
unhandled_cause (const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, "UNHANDLED");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
fingerprint_cause (const char *fingerprint)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "fingerprint");
  json_builder_add_string_value (builder, fingerprint);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
add_api_version (JsonBuilder *builder,
                 Server      *self,
                 const char  *name,
                 const char  *path)
{
  g_autofree char *url = g_strconcat (self->iss, path, NULL);

  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "v1");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "apiBaseUrls");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, url);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static Response *
version_response (Server *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) data = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "apiVersions");
  json_builder_begin_object (builder);
  add_api_version (builder, self, "edge", ZE_TC_CLIENT_API_PATH);
  add_api_version (builder, self, "edge-client", ZE_TC_CLIENT_API_PATH);
  add_api_version (builder, self, "edge-management", "/edge/management/v1");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "buildDate");
  json_builder_add_string_value (builder, "2026-01-01T00:00:00Z");
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_string_value (builder, "0000000000000000000000000000000000000000");
  json_builder_set_member_name (builder, "runtimeVersion");
  json_builder_add_string_value (builder, "ziti-enroll-test-controller");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, ZE_TC_VERSION);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);

  return ok_response (g_steal_pointer (&data));
}

/* The one synthesized controllerDetail of a non-HA controller (§5.7). */
static void
add_controllers (JsonBuilder *builder,
                 Server      *self)
{
  g_autofree char *href = g_strdup_printf ("./controllers/%s", self->pki->controller_id);
  g_autofree char *url = g_strconcat (self->iss, ZE_TC_CLIENT_API_PATH, NULL);

  json_builder_set_member_name (builder, "controllers");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->pki->controller_id);
  json_builder_set_member_name (builder, "createdAt");
  json_builder_add_string_value (builder, self->started_at);
  json_builder_set_member_name (builder, "updatedAt");
  json_builder_add_string_value (builder, self->started_at);
  json_builder_set_member_name (builder, "_links");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "self");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "href");
  json_builder_add_string_value (builder, href);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "ziti-enroll-test-controller");
  json_builder_set_member_name (builder, "apiAddresses");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "edge-client");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, "v1");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "certPem");
  json_builder_add_string_value (builder, self->pki->server->pem);
  json_builder_set_member_name (builder, "fingerprint");
  json_builder_add_string_value (builder, self->pki->server->sha1_hex);
  json_builder_set_member_name (builder, "isOnline");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "lastJoinedAt");
  json_builder_add_string_value (builder, self->started_at);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
}

/* Header parsing ------------------------------------------------------- */

/* The media type of one Accept or Content-Type item, without parameters. */
static char *
media_type_of (const char *item)
{
  const char *semicolon = strchr (item, ';');
  g_autofree char *type = semicolon != NULL ? g_strndup (item, semicolon - item) : g_strdup (item);

  return g_strstrip (g_steal_pointer (&type));
}

/* §5.1 legacy rule: Accept must hold application/json or * / *. libsoup
 * merges repeated Accept headers with commas, so this is a list. */
static gboolean
accept_allows (const char *accept,
               gboolean    pem_too)
{
  GSList *items = soup_header_parse_list (accept);
  gboolean allowed = FALSE;

  for (GSList *l = items; l != NULL && !allowed; l = l->next)
    {
      g_autofree char *type = media_type_of (l->data);

      allowed = g_ascii_strcasecmp (type, "application/json") == 0 ||
                g_ascii_strcasecmp (type, "*/*") == 0 ||
                (pem_too && g_ascii_strcasecmp (type, "application/x-pem-file") == 0);
    }

  soup_header_free_list (items);
  return allowed;
}

/* §5.1 output rule: some Accept value is exactly application/json (before ';'). */
static gboolean
accept_has_exact_json (const char *accept)
{
  GSList *items;
  gboolean found = FALSE;

  if (accept == NULL)
    return FALSE;

  items = soup_header_parse_list (accept);
  for (GSList *l = items; l != NULL && !found; l = l->next)
    {
      g_autofree char *type = media_type_of (l->data);

      found = strcmp (type, "application/json") == 0;
    }

  soup_header_free_list (items);
  return found;
}

static gboolean
accepts_gzip (const char *accept_encoding)
{
  GSList *unacceptable = NULL;
  GSList *acceptable;
  gboolean gzip = FALSE, gzip_refused = FALSE, star = FALSE;

  if (accept_encoding == NULL)
    return FALSE;

  acceptable = soup_header_parse_quality_list (accept_encoding, &unacceptable);
  for (GSList *l = acceptable; l != NULL; l = l->next)
    {
      if (g_ascii_strcasecmp (l->data, "gzip") == 0 || g_ascii_strcasecmp (l->data, "x-gzip") == 0)
        gzip = TRUE;
      else if (strcmp (l->data, "*") == 0)
        star = TRUE;
    }
  for (GSList *l = unacceptable; l != NULL; l = l->next)
    {
      if (g_ascii_strcasecmp (l->data, "gzip") == 0)
        gzip_refused = TRUE;
    }

  soup_header_free_list (acceptable);
  soup_header_free_list (unacceptable);

  return gzip || (star && !gzip_refused);
}

static GBytes *
gzip_bytes (GBytes *input)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) converter = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (input, &len);

  if (!g_output_stream_write_all (converter, data, len, NULL, NULL, NULL) ||
      !g_output_stream_close (converter, NULL, NULL))
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Routing (§1.1 path rewriting) ----------------------------------------- */

static Route
route_for_path (const char *path)
{
  static const struct
  {
    const char *path;
    Route       route;
  } routes[] = {
    { "/version", ROUTE_VERSION },
    { "/.well-known/est/cacerts", ROUTE_CACERTS },
    { "/network-jwts", ROUTE_NETWORK_JWTS },
    { "/external-jwt-signers", ROUTE_EXTERNAL_JWT_SIGNERS },
    { "/enroll", ROUTE_ENROLL },
    { "/enroll/ott", ROUTE_ENROLL_OTT },
    { "/enroll/ottca", ROUTE_ENROLL_OTTCA },
    { "/enroll/ca", ROUTE_ENROLL_CA },
    { "/enroll/updb", ROUTE_ENROLL_UPDB },
    { "/enroll/token", ROUTE_ENROLL_TOKEN },
  };
  g_autofree char *rewritten = NULL;
  const char *relative;

  if (strcmp (path, "/") == 0)
    return ROUTE_VERSION;

  if (g_str_has_prefix (path, "/edge/v1/"))
    rewritten = g_strconcat (ZE_TC_CLIENT_API_PATH, path + strlen ("/edge/v1"), NULL);
  else if (!g_str_has_prefix (path, "/edge") && !g_str_has_prefix (path, "/fabric"))
    rewritten = g_strconcat (ZE_TC_CLIENT_API_PATH, path, NULL);
  else
    rewritten = g_strdup (path);

  if (g_str_has_prefix (rewritten, ZE_TC_CLIENT_API_PATH "/"))
    relative = rewritten + strlen (ZE_TC_CLIENT_API_PATH);
  else if (strcmp (rewritten, "/edge/management/v1/.well-known/est/cacerts") == 0)
    return ROUTE_CACERTS;
  else if (strcmp (rewritten, "/edge/management/v1/network-jwts") == 0)
    return ROUTE_NETWORK_JWTS;
  else
    return ROUTE_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      if (strcmp (relative, routes[i].path) == 0)
        return routes[i].route;
    }

  return ROUTE_NONE;
}

/* Requests -------------------------------------------------------------- */

static void
request_free (Request *req)
{
  g_clear_object (&req->msg);
  g_free (req->http_method);
  g_free (req->path);
  g_free (req->content_type);
  g_free (req->accept);
  g_free (req->query_method);
  g_free (req->query_token);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_pointer (&req->peer_chain, g_ptr_array_unref);
  g_clear_pointer (&req->endless_tail, g_bytes_unref);
  g_clear_pointer (&req->endless_padding, g_bytes_unref);
  g_clear_pointer (&req->pending, response_free);
}

static Request *
request_ref (Request *req)
{
  return g_atomic_rc_box_acquire (req);
}

static void
request_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify)request_free);
}

static void
request_unref_closure (gpointer  data,
                       GClosure *closure)
{
  request_unref (data);
}

static void
on_message_finished_cb (SoupServerMessage *msg,
                        Request           *req)
{
  req->finished = TRUE;

  /* The request line was logged when the answer was handed to libsoup. */
  if (req->answered && !req->wrote_body)
    access_log (req->server, "interrupted %s %s", req->http_method, req->path);

  /* Break the msg → closure → req → msg cycle; nothing needs @msg any more. */
  g_clear_object (&req->msg);
}

static void
on_message_wrote_body_cb (SoupServerMessage *msg,
                          Request           *req)
{
  req->wrote_body = TRUE;
}

static gboolean
endless_next_chunk_cb (gpointer data)
{
  Request *req = data;
  SoupMessageBody *body;

  if (req->finished || req->dropped)
    return G_SOURCE_REMOVE;

  body = soup_server_message_get_response_body (req->msg);
  if (req->endless_sent < ENDLESS_TOTAL)
    {
      soup_message_body_append_bytes (body, req->endless_padding);
      req->endless_sent += ENDLESS_CHUNK;
    }
  else
    {
      req->endless_done = TRUE;
      soup_message_body_append_bytes (body, req->endless_tail);
      soup_message_body_complete (body);
    }

  soup_server_message_unpause (req->msg);

  return G_SOURCE_REMOVE;
}

/* Streams ENDLESS_TOTAL bytes of whitespace, then the real answer. Each
 * chunk is appended from an idle callback (libsoup pauses the message
 * when it runs out of data), so a fast reader cannot monopolise the main
 * loop, and memory stays flat (the body does not accumulate). */
static void
on_endless_wrote_chunk_cb (SoupServerMessage *msg,
                           Request           *req)
{
  if (req->endless_done)
    return;

  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, endless_next_chunk_cb, request_ref (req), request_unref);
}

static Connection *
lookup_connection (Server            *self,
                   SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  g_autofree char *ip = NULL;
  g_autofree char *key = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;

  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  key = g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)));

  return g_hash_table_lookup (self->connections, key);
}

static void
drop_connection (Request *req)
{
  Server *self = req->server;
  Connection *conn = lookup_connection (self, req->msg);
  g_autoptr(GIOStream) stolen = NULL;

  req->dropped = TRUE;
  access_log (self, "request %s %s dropped", req->http_method, req->path);

  /* Take the connection away from libsoup, then cut the TCP connection:
   * the client sees the connection end without any answer. */
  stolen = soup_server_message_steal_connection (req->msg);
  if (conn != NULL && conn->socket != NULL)
    {
      g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
      g_socket_close (conn->socket, NULL);
    }
  else if (stolen != NULL)
    g_io_stream_close (stolen, NULL, NULL);
}

static void
answer_now (Request *req)
{
  Server *self = req->server;
  g_autoptr(Response) resp = g_steal_pointer (&req->pending);
  SoupMessageHeaders *headers;
  SoupMessageBody *body;
  g_autoptr(GBytes) payload = NULL;

  if (req->finished || resp == NULL)
    return;

  if (resp->drop)
    {
      drop_connection (req);
      /* A stolen message never emits "finished". */
      g_clear_object (&req->msg);
      return;
    }

  headers = soup_server_message_get_response_headers (req->msg);
  body = soup_server_message_get_response_body (req->msg);

  /* Logged before the client can see the answer, so a test that has
   * its response can rely on the line being there. */
  req->answered = TRUE;
  access_log (self, "request %s %s %u", req->http_method, req->path, resp->status);

  soup_server_message_set_status (req->msg, resp->status, NULL);
  soup_message_headers_replace (headers, "ziti-instance-id", self->instance_id);
  if (resp->content_type != NULL)
    soup_message_headers_replace (headers, "Content-Type", resp->content_type);
  if (self->options.no_keepalive)
    soup_message_headers_replace (headers, "Connection", "close");

  if (self->options.endless_body)
    {
      /* JSON whitespace before a JSON answer; line breaks (which base64
       * decoders skip) before anything else. */
      req->endless_padding = g_bytes_ref (g_strcmp0 (resp->content_type, "application/json") == 0
                                          ? self->padding_space : self->padding_newline);
      req->endless_tail = g_bytes_ref (resp->body);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_set_accumulate (body, FALSE);
      g_signal_connect (req->msg, "wrote-chunk", G_CALLBACK (on_endless_wrote_chunk_cb), req);
      soup_message_body_append_bytes (body, req->endless_padding);
      req->endless_sent = ENDLESS_CHUNK;
    }
  else
    {
      payload = g_bytes_ref (resp->body);
      if (req->gzip && g_bytes_get_size (payload) > 0)
        {
          g_autoptr(GBytes) compressed = gzip_bytes (payload);

          if (compressed != NULL)
            {
              g_bytes_unref (payload);
              payload = g_steal_pointer (&compressed);
              soup_message_headers_replace (headers, "Content-Encoding", "gzip");
              soup_message_headers_replace (headers, "Vary", "Accept-Encoding");
            }
        }
      soup_message_body_append_bytes (body, payload);
    }

  if (req->paused)
    {
      req->paused = FALSE;
      soup_server_message_unpause (req->msg);
    }
}

static gboolean
slow_timeout_cb (gpointer data)
{
  Request *req = data;

  answer_now (req);

  return G_SOURCE_REMOVE;
}

/* Sends @resp (consumed), after the slow:MS delay if that fault is on. */
static void
answer (Request  *req,
        Response *resp)
{
  Server *self = req->server;

  g_clear_pointer (&req->pending, response_free);
  req->pending = resp;

  if (req->finished)
    return;

  if (self->options.slow_ms > 0 && !req->delayed)
    {
      req->delayed = TRUE;
      if (!req->paused)
        {
          req->paused = TRUE;
          soup_server_message_pause (req->msg);
        }
      g_timeout_add_full (G_PRIORITY_DEFAULT, self->options.slow_ms, slow_timeout_cb,
                          request_ref (req), request_unref);
      return;
    }

  answer_now (req);
}

/* Enrollment (runs in a worker thread) ---------------------------------- */

static gboolean
is_legacy_media_type (const char *type)
{
  return *type == '\0' ||
         strcmp (type, "application/pkcs7") == 0 ||
         strcmp (type, "application/x-pem-file") == 0 ||
         strcmp (type, "text/plain") == 0;
}

/* Reads an optional string member; a non-string value is a parse error. */
static gboolean
get_string_member (JsonObject  *object,
                   const char  *name,
                   const char **out_value)
{
  JsonNode *node;

  *out_value = NULL;
  if (object == NULL || !(node = json_object_get_member (object, name)) || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;

  *out_value = json_node_get_string (node);
  return TRUE;
}

static Response *
parse_body_error (const char *detail)
{
  return error_response (SOUP_STATUS_BAD_REQUEST, "COULD_NOT_PARSE_BODY", MSG_PARSE_BODY,
                         unhandled_cause (detail));
}

static Response *
unsupported_media_type (const char *type)
{
  g_autofree char *message = g_strdup_printf ("unsupported media type \"%s\", only [application/json] are allowed",
                                              type);

  return error_response (SOUP_STATUS_INTERNAL_SERVER_ERROR, "UNHANDLED", message, NULL);
}

static Response *
enroll_ott (Request        *req,
            ZeTcEnrollment *enrollment,
            const char     *csr,
            gsize           csr_len)
{
  Server *self = req->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autofree char *leaf = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *chain = NULL;
  Response *resp;

  if (csr == NULL || csr_len == 0)
    return error_response (SOUP_STATUS_BAD_REQUEST, "COULD_NOT_PROCESS_CSR", MSG_PROCESS_CSR,
                           unhandled_cause ("could not decode CSR PEM block: empty CSR"));

  if (!(der = ze_tc_pki_decode_csr_pem (csr, csr_len, &error)) ||
      !(leaf = ze_tc_pki_issue_client_cert (self->pki, der, enrollment->identity_id, &fingerprint, &error)))
    return error_response (SOUP_STATUS_BAD_REQUEST, "COULD_NOT_PROCESS_CSR", MSG_PROCESS_CSR,
                           unhandled_cause (error->message));

  if (!ze_tc_store_consume (self->dir, enrollment->token))
    return error_response (SOUP_STATUS_BAD_REQUEST, "INVALID_ENROLLMENT_TOKEN", MSG_INVALID_TOKEN, NULL);

  ze_tc_store_claim_fingerprint (self->dir, fingerprint, enrollment->identity_id, NULL);

  /* Leaf plus intermediates, without the root. */
  chain = g_strconcat (leaf, self->pki->intermediate->pem, NULL);

  if (self->options.legacy_pem && !accept_has_exact_json (req->accept))
    {
      g_autoptr(GBytes) body = g_bytes_new (chain, strlen (chain));

      resp = response_new (SOUP_STATUS_OK, "application/x-pem-file", body);
    }
  else
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) data = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cert");
      json_builder_add_string_value (builder, chain);
      add_controllers (builder, self);
      json_builder_end_object (builder);
      data = json_builder_get_root (builder);
      resp = ok_response (g_steal_pointer (&data));
    }

  resp->drop = self->options.close_before_answer;
  return resp;
}

static Response *
enroll_ottca (Request        *req,
              ZeTcEnrollment *enrollment)
{
  Server *self = req->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) data = NULL;
  g_autofree char *fingerprint = NULL;
  Response *resp;

  if (g_strcmp0 (enrollment->ca_id, self->pki->third_party_ca_id) != 0)
    return error_response (SOUP_STATUS_BAD_REQUEST, "INVALID_ENROLLMENT_TOKEN", MSG_INVALID_TOKEN, NULL);

  if (!ze_tc_pki_verify_client_chain (self->pki, req->peer_chain, &fingerprint, &error))
    {
      g_debug ("ottca: %s", error->message);
      return error_response (SOUP_STATUS_BAD_REQUEST, "CERTIFICATE_FAILED_VALIDATION",
                             MSG_CERT_VALIDATION, NULL);
    }

  if (!ze_tc_store_claim_fingerprint (self->dir, fingerprint, enrollment->identity_id, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        return error_response (SOUP_STATUS_CONFLICT, "CERT_IN_USE", MSG_CERT_IN_USE,
                               fingerprint_cause (fingerprint));
      return error_response (SOUP_STATUS_INTERNAL_SERVER_ERROR, "UNHANDLED", error->message, NULL);
    }

  if (!ze_tc_store_consume (self->dir, enrollment->token))
    {
      ze_tc_store_release_fingerprint (self->dir, fingerprint);
      return error_response (SOUP_STATUS_BAD_REQUEST, "INVALID_ENROLLMENT_TOKEN", MSG_INVALID_TOKEN, NULL);
    }

  json_builder_begin_object (builder);
  add_controllers (builder, self);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);

  resp = ok_response (g_steal_pointer (&data));
  resp->drop = self->options.close_before_answer;
  return resp;
}

static Response *
enroll_ca (Request *req)
{
  Server *self = req->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) data = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *identity_id = NULL;
  Response *resp;

  if (!ze_tc_pki_verify_client_chain (self->pki, req->peer_chain, &fingerprint, &error))
    {
      g_debug ("ca: %s", error->message);
      return error_response (SOUP_STATUS_BAD_REQUEST, "CERT_FAILED_VALIDATION", MSG_CERT_FAILED, NULL);
    }

  identity_id = ze_tc_short_id ();
  if (!ze_tc_store_claim_fingerprint (self->dir, fingerprint, identity_id, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        return error_response (SOUP_STATUS_CONFLICT, "CERT_IN_USE", MSG_CERT_IN_USE,
                               fingerprint_cause (fingerprint));
      return error_response (SOUP_STATUS_INTERNAL_SERVER_ERROR, "UNHANDLED", error->message, NULL);
    }

  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);

  resp = ok_response (g_steal_pointer (&data));
  resp->drop = self->options.close_before_answer;
  return resp;
}

static Response *
enroll_updb (Request        *req,
             ZeTcEnrollment *enrollment,
             const char     *password)
{
  Server *self = req->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) data = NULL;
  Response *resp;

  if (password == NULL || *password == '\0')
    return error_response (SOUP_STATUS_INTERNAL_SERVER_ERROR, "UNHANDLED",
                           "password expected for updb enrollment", NULL);

  if (!ze_tc_store_consume (self->dir, enrollment->token))
    return error_response (SOUP_STATUS_BAD_REQUEST, "INVALID_ENROLLMENT_TOKEN", MSG_INVALID_TOKEN, NULL);

  /* The username is the one fixed in the enrollment, whatever was sent. */
  if (!ze_tc_store_add_updb (self->dir, enrollment->identity_id, enrollment->username, password, &error))
    return error_response (SOUP_STATUS_INTERNAL_SERVER_ERROR, "UNHANDLED", error->message, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, enrollment->username);
  add_controllers (builder, self);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);

  resp = ok_response (g_steal_pointer (&data));
  resp->drop = self->options.close_before_answer;
  return resp;
}

static Response *
process_enroll (Request *req)
{
  Server *self = req->server;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(ZeTcEnrollment) enrollment = NULL;
  JsonObject *object = NULL;
  const char *method = NULL;
  const char *token = NULL;
  const char *csr = NULL;
  const char *password = NULL;
  const char *body_token = NULL;
  gsize csr_len = 0;
  gsize body_len = 0;
  const char *body = g_bytes_get_data (req->body, &body_len);
  gboolean json = strcmp (req->content_type, "application/json") == 0;

  if (self->options.http_500)
    return error_response (SOUP_STATUS_INTERNAL_SERVER_ERROR, "UNHANDLED", MSG_UNHANDLED, NULL);

  if (self->options.not_json)
    {
      static const char html[] = "<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n";
      g_autoptr(GBytes) garbage = g_bytes_new_static (html, sizeof html - 1);

      return response_new (SOUP_STATUS_OK, "application/json", garbage);
    }

  if (req->route == ROUTE_ENROLL && is_legacy_media_type (req->content_type))
    {
      /* The legacy interception middleware: raw CSR body, JSON answer. */
      if (req->accept != NULL && !accept_allows (req->accept, self->options.legacy_pem))
        return error_response (SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA",
                               MSG_UNSUPPORTED_MEDIA, NULL);
      csr = body;
      csr_len = body_len;
    }
  else if (json || (req->route != ROUTE_ENROLL && body_len == 0 && *req->content_type == '\0'))
    {
      if (body_len > 0)
        {
          g_autoptr(GError) error = NULL;
          JsonNode *root;

          parser = json_parser_new ();
          if (!json_parser_load_from_data (parser, body, body_len, &error))
            return parse_body_error (error->message);

          root = json_parser_get_root (parser);
          if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
            return parse_body_error ("the body is not a JSON object");
          object = json_node_get_object (root);
        }

      if (!get_string_member (object, "clientCsr", &csr) ||
          !get_string_member (object, "password", &password) ||
          !get_string_member (object, "token", &body_token))
        return parse_body_error ("a member has the wrong type");

      csr_len = csr != NULL ? strlen (csr) : 0;
    }
  else
    return unsupported_media_type (req->content_type);

  switch (req->route)
    {
    case ROUTE_ENROLL:
      method = req->query_method;
      token = req->query_token;
      break;
    case ROUTE_ENROLL_OTT:
      method = "ott";
      token = body_token != NULL ? body_token : req->query_token;
      break;
    case ROUTE_ENROLL_OTTCA:
      method = "ottca";
      token = body_token != NULL ? body_token : req->query_token;
      break;
    case ROUTE_ENROLL_CA:
      method = "ca";
      break;
    case ROUTE_ENROLL_UPDB:
      method = "updb";
      token = req->query_token != NULL ? req->query_token : body_token;
      break;
    case ROUTE_ENROLL_TOKEN:
      /* No external JWT signer exists here, so no bearer token can be valid. */
      return error_response (SOUP_STATUS_BAD_REQUEST, "INVALID_ENROLLMENT_TOKEN", MSG_INVALID_TOKEN, NULL);
    case ROUTE_NONE:
    case ROUTE_VERSION:
    case ROUTE_CACERTS:
    case ROUTE_NETWORK_JWTS:
    case ROUTE_EXTERNAL_JWT_SIGNERS:
    default:
      g_return_val_if_reached (NULL);
    }

  if (method != NULL && *method == '\0')
    method = NULL;

  /* methods ca and token need no enrollment; all others are looked up by token */
  if (g_strcmp0 (method, "ca") == 0)
    return enroll_ca (req);

  if (!(enrollment = ze_tc_store_lookup (self->dir, token)))
    return error_response (SOUP_STATUS_BAD_REQUEST, "INVALID_ENROLLMENT_TOKEN", MSG_INVALID_TOKEN, NULL);

  if (method != NULL && strcmp (method, enrollment->method) != 0)
    return error_response (SOUP_STATUS_BAD_REQUEST, "INVALID_ENROLL_METHOD", MSG_INVALID_METHOD, NULL);

  if (enrollment->expires_at <= g_get_real_time () / G_USEC_PER_SEC)
    return error_response (SOUP_STATUS_BAD_REQUEST, "ENROLLMENT_EXPIRED", MSG_EXPIRED, NULL);

  if (strcmp (enrollment->method, "ott") == 0)
    return enroll_ott (req, enrollment, csr, csr_len);
  if (strcmp (enrollment->method, "ottca") == 0)
    return enroll_ottca (req, enrollment);
  if (strcmp (enrollment->method, "updb") == 0)
    return enroll_updb (req, enrollment, password);

  return error_response (SOUP_STATUS_BAD_REQUEST, "INVALID_ENROLL_METHOD", MSG_INVALID_METHOD, NULL);
}

static void
enroll_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_task_return_pointer (task, process_enroll (task_data), (GDestroyNotify)response_free);
}

static void
enroll_worker_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Request *req = g_task_get_task_data (G_TASK (result));
  Response *resp = g_task_propagate_pointer (G_TASK (result), NULL);

  answer (req, resp);
}

/* The SoupServer handler --------------------------------------------------- */

static GPtrArray *
chain_from_certificate (GTlsCertificate *cert)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

  for (GTlsCertificate *c = cert; c != NULL && chain->len < 16; c = g_tls_certificate_get_issuer (c))
    {
      g_autoptr(GByteArray) der = NULL;

      g_object_get (c, "certificate", &der, NULL);
      if (der != NULL)
        g_ptr_array_add (chain, g_bytes_new (der->data, der->len));
    }

  return chain;
}

static void
server_handler_cb (SoupServer        *soup,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  Server *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *http_method = soup_server_message_get_method (msg);
  const char *content_type;
  gboolean is_get = http_method == SOUP_METHOD_GET || http_method == SOUP_METHOD_HEAD;
  gboolean is_post = http_method == SOUP_METHOD_POST;
  Connection *conn;
  Request *req;

  req = g_atomic_rc_box_new0 (Request);
  req->server = self;
  req->msg = g_object_ref (msg);
  req->http_method = g_strdup (http_method);
  req->path = g_strdup (path);
  req->route = route_for_path (path);
  req->gzip = accepts_gzip (soup_message_headers_get_list (headers, "Accept-Encoding"));

  /* Holds the request until the message is finalized. */
  g_signal_connect_data (msg, "finished", G_CALLBACK (on_message_finished_cb),
                         request_ref (req), request_unref_closure, 0);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (on_message_wrote_body_cb), req);

  switch (req->route)
    {
    case ROUTE_NONE:
      answer (req, error_response (SOUP_STATUS_NOT_FOUND, "NOT_FOUND", MSG_NOT_FOUND, NULL));
      break;

    case ROUTE_VERSION:
    case ROUTE_CACERTS:
    case ROUTE_NETWORK_JWTS:
    case ROUTE_EXTERNAL_JWT_SIGNERS:
      if (!is_get)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET");
          answer (req, error_response (SOUP_STATUS_METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                                       MSG_METHOD_NOT_ALLOWED, NULL));
        }
      else if (req->route == ROUTE_VERSION)
        answer (req, version_response (self));
      else if (req->route == ROUTE_CACERTS)
        {
          g_autoptr(GBytes) body = g_bytes_new (self->cacerts_body, strlen (self->cacerts_body));
          Response *resp = response_new (SOUP_STATUS_OK, "application/pkcs7-mime", body);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Content-Transfer-Encoding", "base64");
          answer (req, resp);
        }
      else if (req->route == ROUTE_NETWORK_JWTS)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) data = NULL;

          json_builder_begin_array (builder);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, "default");
          json_builder_set_member_name (builder, "token");
          json_builder_add_string_value (builder, self->network_jwt);
          json_builder_end_object (builder);
          json_builder_end_array (builder);
          data = json_builder_get_root (builder);
          answer (req, ok_response (g_steal_pointer (&data)));
        }
      else
        {
          g_autoptr(JsonParser) parser = json_parser_new ();

          json_parser_load_from_data (parser,
                                      "{\"data\":[],\"meta\":{\"filterableFields\":[],"
                                      "\"pagination\":{\"limit\":10,\"offset\":0,\"totalCount\":0}}}",
                                      -1, NULL);
          answer (req, json_response (SOUP_STATUS_OK, json_parser_get_root (parser)));
        }
      break;

    case ROUTE_ENROLL:
    case ROUTE_ENROLL_OTT:
    case ROUTE_ENROLL_OTTCA:
    case ROUTE_ENROLL_CA:
    case ROUTE_ENROLL_UPDB:
    case ROUTE_ENROLL_TOKEN:
    default:
      if (!is_post)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "POST");
          answer (req, error_response (SOUP_STATUS_METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                                       MSG_METHOD_NOT_ALLOWED, NULL));
          break;
        }
      else
        {
          g_autoptr(GTask) task = NULL;

          content_type = soup_message_headers_get_content_type (headers, NULL);
          req->content_type = g_ascii_strdown (content_type != NULL ? content_type : "", -1);
          req->accept = g_strdup (soup_message_headers_get_list (headers, "Accept"));
          if (req->accept != NULL && *g_strstrip (req->accept) == '\0')
            g_clear_pointer (&req->accept, g_free);
          if (query != NULL)
            {
              req->query_method = g_strdup (g_hash_table_lookup (query, "method"));
              req->query_token = g_strdup (g_hash_table_lookup (query, "token"));
            }
          req->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

          conn = lookup_connection (self, msg);
          if (conn != NULL && conn->peer_chain != NULL)
            req->peer_chain = g_ptr_array_ref (conn->peer_chain);
          else if (soup_server_message_get_tls_peer_certificate (msg) != NULL)
            req->peer_chain = chain_from_certificate (soup_server_message_get_tls_peer_certificate (msg));

          req->paused = TRUE;
          soup_server_message_pause (msg);

          task = g_task_new (NULL, NULL, enroll_worker_cb, NULL);
          g_task_set_source_tag (task, server_handler_cb);
          g_task_set_task_data (task, request_ref (req), request_unref);
          g_task_run_in_thread (task, enroll_worker);
        }
      break;
    }

  request_unref (req);
}

/* Connections ---------------------------------------------------------- */

static void
connection_free (Connection *conn)
{
  g_free (conn->key);
  g_clear_object (&conn->socket);
  g_clear_pointer (&conn->peer_chain, g_ptr_array_unref);
  g_free (conn);
}

static void
on_tls_connection_finalized (gpointer  data,
                             GObject  *where_the_object_was)
{
  Connection *conn = data;

  GHashTable *connections = conn->server->connections;

  /* A newer connection may reuse the same client port: remove only our own entry. */
  if (connections != NULL && g_hash_table_lookup (connections, conn->key) == conn)
    g_hash_table_remove (connections, conn->key);
  connection_free (conn);
}

static gboolean
on_accept_certificate_cb (GTlsConnection       *tls,
                          GTlsCertificate      *peer,
                          GTlsCertificateFlags  errors,
                          gpointer              user_data)
{
  /* ClientAuth = RequestClientCert: take any certificate, check it per request. */
  return TRUE;
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTlsConnection *tls = G_TLS_CONNECTION (object);
  Connection *conn = user_data;
  Server *self = conn->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  GTlsCertificate *peer;

  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      access_log (self, "handshake failed (connection %u): %s", conn->number, error->message);
      g_io_stream_close_async (G_IO_STREAM (tls), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      connection_free (conn);
      g_object_unref (tls);
      return;
    }

  peer = g_tls_connection_get_peer_certificate (tls);
  if (peer != NULL)
    conn->peer_chain = chain_from_certificate (peer);

  g_hash_table_replace (self->connections, g_strdup (conn->key), conn);
  g_object_weak_ref (G_OBJECT (tls), on_tls_connection_finalized, conn);

  local = g_socket_get_local_address (conn->socket, NULL);
  remote = g_socket_get_remote_address (conn->socket, NULL);
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (tls), local, remote, &error))
    g_warning ("Could not hand connection %u to libsoup: %s", conn->number, error->message);

  g_object_unref (tls);
}

static gboolean
on_incoming_cb (GSocketService    *service,
                GSocketConnection *connection,
                GObject           *source_object,
                gpointer           user_data)
{
  Server *self = user_data;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *ip = NULL;
  GTlsCertificate *certificate;
  GIOStream *tls;
  Connection *conn;
  guint port = 0;

  self->n_connections++;
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote));
    }
  access_log (self, "connection %u from %s:%u", self->n_connections, ip != NULL ? ip : "?", port);

  certificate = self->options.wrong_cert_after_first && self->n_connections > 1
                ? self->other_cert : self->server_cert;

  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  tls = g_tls_server_connection_new (G_IO_STREAM (connection), certificate, &error);
  if (tls == NULL)
    {
      g_warning ("Could not create a TLS connection: %s", error->message);
      return TRUE;
    }

  g_object_set (tls,
                "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED,
                "require-close-notify", FALSE,
                NULL);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate_cb), NULL);

  conn = g_new0 (Connection, 1);
  conn->server = self;
  conn->number = self->n_connections;
  conn->socket = g_object_ref (g_socket_connection_get_socket (connection));
  conn->key = g_strdup_printf ("%s:%u", ip != NULL ? ip : "?", port);

  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL, handshake_cb, conn);

  return TRUE;
}

/* libsoup keeps a connection alive only while the server has a listener.
 * Connections arrive through our GSocketService instead, so give libsoup
 * a listener that nobody can reach: an autobound abstract Unix socket. */
static gboolean
add_keepalive_listener (Server  *self,
                        GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autoptr(GSocket) listener = NULL;
  int fd;

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      bind (fd, (struct sockaddr *)&address, sizeof (sa_family_t)) != 0 ||
      listen (fd, 1) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create the internal listener: %s", g_strerror (saved_errno));
      return FALSE;
    }

  if (!(listener = g_socket_new_from_fd (fd, error)))
    {
      close (fd);
      return FALSE;
    }

  return soup_server_listen_socket (self->soup, listener, 0, error);
}

/* Setup ------------------------------------------------------------------ */

gboolean
ze_tc_serve_options_add_fault (ZeTcServeOptions  *options,
                               const char        *fault,
                               GError           **error)
{
  if (g_str_has_prefix (fault, "slow:"))
    {
      guint64 ms = 0;

      if (!g_ascii_string_to_unsigned (fault + strlen ("slow:"), 10, 1, 600000, &ms, NULL))
        {
          g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID,
                       "Invalid fault %s: expected slow:MILLISECONDS (1-600000)", fault);
          return FALSE;
        }
      options->slow_ms = ms;
    }
  else if (strcmp (fault, "close-before-answer") == 0)
    options->close_before_answer = TRUE;
  else if (strcmp (fault, "wrong-cert-after-first") == 0)
    options->wrong_cert_after_first = TRUE;
  else if (strcmp (fault, "bad-pkcs7") == 0)
    options->bad_pkcs7 = TRUE;
  else if (strcmp (fault, "endless-body") == 0)
    options->endless_body = TRUE;
  else if (strcmp (fault, "http-500") == 0)
    options->http_500 = TRUE;
  else if (strcmp (fault, "not-json") == 0)
    options->not_json = TRUE;
  else if (strcmp (fault, "no-keepalive") == 0)
    options->no_keepalive = TRUE;
  else
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID,
                   "Unknown fault %s (known: slow:MS, close-before-answer, wrong-cert-after-first, "
                   "bad-pkcs7, endless-body, http-500, not-json, no-keepalive)", fault);
      return FALSE;
    }

  return TRUE;
}

static GTlsCertificate *
load_tls_certificate (ZeTcPki         *pki,
                      ZeTcCredential  *leaf,
                      const char      *key_name,
                      gboolean         with_chain,
                      GError         **error)
{
  g_autofree char *key_path = g_build_filename (pki->dir, key_name, NULL);
  GTlsCertificate *certificate;
  char *key_pem = NULL;
  gsize key_len = 0;
  char *pem;

  if (!g_file_get_contents (key_path, &key_pem, &key_len, error))
    return NULL;

  /* Leaf, then the intermediate (sent in the handshake), then the key. */
  pem = g_strconcat (leaf->pem, with_chain ? pki->intermediate->pem : "", key_pem, NULL);
  certificate = g_tls_certificate_new_from_pem (pem, -1, error);

  gnutls_memset (key_pem, 0, key_len);
  g_free (key_pem);
  gnutls_memset (pem, 0, strlen (pem));
  g_free (pem);

  return certificate;
}

static char *
new_instance_id (void)
{
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  guint8 random[24];
  char id[sizeof random + 2];

  gnutls_rnd (GNUTLS_RND_NONCE, random, sizeof random);
  id[0] = 'c';
  for (guint i = 0; i < sizeof random; i++)
    id[i + 1] = alphabet[random[i] % (sizeof alphabet - 1)];
  id[sizeof random + 1] = '\0';

  return g_strdup (id);
}

static gboolean
on_quit_signal_cb (gpointer user_data)
{
  Server *self = user_data;

  g_main_loop_quit (self->loop);

  return G_SOURCE_CONTINUE;
}

static void
server_clear (Server *self)
{
  /* Cut every client first: a graceful TLS close towards a peer that
   * stopped reading (endless-body) would block for ever. */
  if (self->connections != NULL)
    {
      GHashTableIter iter;
      Connection *conn;

      g_hash_table_iter_init (&iter, self->connections);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&conn))
        {
          if (conn->socket != NULL)
            g_socket_close (conn->socket, NULL);
        }
    }

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  if (self->service != NULL)
    g_socket_service_stop (self->service);
  g_clear_object (&self->service);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  self->connections = NULL;
  g_clear_object (&self->server_cert);
  g_clear_object (&self->other_cert);
  g_clear_pointer (&self->pki, ze_tc_pki_free);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->padding_space, g_bytes_unref);
  g_clear_pointer (&self->padding_newline, g_bytes_unref);
  g_free (self->dir);
  g_free (self->iss);
  g_free (self->instance_id);
  g_free (self->started_at);
  g_free (self->network_jwt);
  g_free (self->cacerts_body);
  if (self->access_log != NULL)
    fclose (self->access_log);
}

int
ze_tc_serve (const char             *dir,
             const ZeTcServeOptions *options)
{
  Server server = { .options = *options };
  Server *self = &server;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonNode) claims = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *port_path = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *iss_slash = NULL;
  g_autofree char *network_jti = NULL;
  guint8 *padding;
  guint port;
  int status = 1;

  self->dir = g_strdup (dir);
  /* Values are owned by the weak reference on their TLS connection. */
  self->connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->loop = g_main_loop_new (NULL, FALSE);
  self->instance_id = new_instance_id ();
  self->started_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.000Z");

  padding = g_malloc (ENDLESS_CHUNK);
  memset (padding, ' ', ENDLESS_CHUNK);
  self->padding_space = g_bytes_new_take (padding, ENDLESS_CHUNK);
  padding = g_malloc (ENDLESS_CHUNK);
  memset (padding, '\n', ENDLESS_CHUNK);
  self->padding_newline = g_bytes_new_take (padding, ENDLESS_CHUNK);

  if (!(self->pki = ze_tc_pki_load (dir, &error)) ||
      !ze_tc_store_prepare (dir, &error) ||
      !(self->server_cert = load_tls_certificate (self->pki, self->pki->server,
                                                  ZE_TC_FILE_SERVER_KEY, TRUE, &error)) ||
      !(self->other_cert = load_tls_certificate (self->pki, self->pki->other,
                                                 ZE_TC_FILE_OTHER_KEY, FALSE, &error)) ||
      !(self->cacerts_body = ze_tc_pki_cacerts_body (self->pki, options->bad_pkcs7, &error)))
    goto out;

  /* Loopback only. */
  self->service = g_socket_service_new ();
  address = g_inet_socket_address_new (loopback, options->port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &error))
    goto out;
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->iss = g_strdup_printf ("https://127.0.0.1:%u", port);

  /* The network JWT: one random jti per process, like the controller's cache. */
  iss_slash = g_strconcat (self->iss, "/", NULL);
  network_jti = g_uuid_string_random ();
  claims = ze_tc_jwt_bootstrap_claims (iss_slash, iss_slash, network_jti, "network");
  if (!(self->network_jwt = ze_tc_jwt_sign (self->pki->server, claims, &error)))
    goto out;

  self->soup = soup_server_new ("server-header", ZE_TC_SERVER_HEADER, NULL);
  soup_server_add_handler (self->soup, NULL, server_handler_cb, self, NULL);
  if (!add_keepalive_listener (self, &error))
    goto out;

  log_path = g_build_filename (dir, ZE_TC_FILE_ACCESS_LOG, NULL);
  if (!(self->access_log = fopen (log_path, "ae")))
    {
      int saved_errno = errno;

      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not open %s: %s", log_path, g_strerror (saved_errno));
      goto out;
    }
  access_log (self, "listening on %s", self->iss);

  port_path = g_build_filename (dir, ZE_TC_FILE_PORT, NULL);
  port_text = g_strdup_printf ("%u\n", port);
  if (!ze_tc_write_file (port_path, port_text, -1, 0644, &error))
    goto out;

  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming_cb), self);
  g_socket_service_start (self->service);

  g_unix_signal_add (SIGTERM, on_quit_signal_cb, self);
  g_unix_signal_add (SIGINT, on_quit_signal_cb, self);

  g_print ("listening on %s\n", self->iss);
  fflush (stdout);

  g_main_loop_run (self->loop);

  access_log (self, "stopped");
  status = 0;

out:
  if (error != NULL)
    g_printerr ("ziti-enroll-test-controller: %s\n", error->message);
  server_clear (self);

  return status;
}
