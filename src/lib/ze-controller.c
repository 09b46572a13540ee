/* ze-controller.c
 *
 * Trust follows design.md §3 and what the OpenZiti SDKs do (protocol.md §3):
 * on the first connection any chain is accepted, but only after the token's
 * signature verified against the leaf the server presented, inside the TLS
 * handshake, so that nothing is sent to a server that did not issue the
 * token. Once the caller confirms that leaf (ze_controller_confirm_leaf()), a
 * new connection is accepted only if it presents exactly that leaf; the
 * enrollment prefers to re-use the first connection.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ze-controller.h"
#include "ze-error.h"

/* ---- a TLS database that trusts nothing, so every chain reaches us ---- */

#define ZE_TYPE_DISTRUST_DATABASE (ze_distrust_database_get_type ())
G_DECLARE_FINAL_TYPE (ZeDistrustDatabase, ze_distrust_database, ZE, DISTRUST_DATABASE, GTlsDatabase)

struct _ZeDistrustDatabase
{
  GTlsDatabase parent_instance;
};

G_DEFINE_FINAL_TYPE (ZeDistrustDatabase, ze_distrust_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
ze_distrust_database_verify_chain (GTlsDatabase             *database,
                                   GTlsCertificate          *chain,
                                   const char               *purpose,
                                   GSocketConnectable       *identity,
                                   GTlsInteraction          *interaction,
                                   GTlsDatabaseVerifyFlags   flags,
                                   GCancellable             *cancellable,
                                   GError                  **error)
{
  /* The system's trust store has no say: the controller's own CA, learnt from
   * the token's signature and the user's confirmation, is the only anchor. */
  return G_TLS_CERTIFICATE_UNKNOWN_CA;
}

static void
ze_distrust_database_class_init (ZeDistrustDatabaseClass *klass)
{
  G_TLS_DATABASE_CLASS (klass)->verify_chain = ze_distrust_database_verify_chain;
}

static void
ze_distrust_database_init (ZeDistrustDatabase *self)
{
}

/* ---- the controller ---- */

struct _ZeController
{
  GObject          parent_instance;

  ZeToken         *token;
  SoupSession     *session;
  GTlsCertificate *client_certificate;
  ZeCertificate   *leaf;              /* captured on the first handshake */
  GError          *trust_error;       /* why we refused a handshake */
  char            *host_port;
  guint            timeout;
  guint            handshakes;
  guint            confirmed : 1;
  guint            request_sent : 1;
  guint            resend_blocked : 1;
};

G_DEFINE_FINAL_TYPE (ZeController, ze_controller, G_TYPE_OBJECT)

enum {
  CERTIFICATE_RECEIVED,
  TOKEN_VERIFIED,
  REQUEST_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ze_controller_dispose (GObject *object)
{
  ZeController *self = (ZeController *)object;

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ze_controller_parent_class)->dispose (object);
}

static void
ze_controller_finalize (GObject *object)
{
  ZeController *self = (ZeController *)object;

  g_clear_object (&self->token);
  g_clear_object (&self->client_certificate);
  g_clear_object (&self->leaf);
  g_clear_error (&self->trust_error);
  g_clear_pointer (&self->host_port, g_free);

  G_OBJECT_CLASS (ze_controller_parent_class)->finalize (object);
}

static void
ze_controller_class_init (ZeControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ze_controller_dispose;
  object_class->finalize = ze_controller_finalize;

  /**
   * ZeController::certificate-received:
   *
   * The first handshake presented @certificate; the token is checked next.
   */
  signals[CERTIFICATE_RECEIVED] =
    g_signal_new ("certificate-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ZE_TYPE_CERTIFICATE);

  /**
   * ZeController::token-verified:
   *
   * The token's signature verified against the certificate.
   */
  signals[TOKEN_VERIFIED] =
    g_signal_new ("token-verified", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * ZeController::request-sent:
   *
   * The enrollment request was written out: the token may now be consumed.
   */
  signals[REQUEST_SENT] =
    g_signal_new ("request-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ze_controller_init (ZeController *self)
{
}

/**
 * ze_controller_new:
 * @token: the enrollment token: its `iss` is the controller
 * @timeout_seconds: the longest wait for each request, 0 for the default
 *
 * Returns: (transfer full): a new #ZeController
 */
ZeController *
ze_controller_new (ZeToken *token,
                   guint    timeout_seconds)
{
  g_autoptr(GTlsDatabase) database = NULL;
  ZeController *self;

  g_return_val_if_fail (ZE_IS_TOKEN (token), NULL);

  self = g_object_new (ZE_TYPE_CONTROLLER, NULL);
  self->token = g_object_ref (token);
  self->timeout = timeout_seconds > 0 ? timeout_seconds : ZE_CONTROLLER_DEFAULT_TIMEOUT;
  self->host_port = ze_token_dup_host_and_port (token);

  database = g_object_new (ZE_TYPE_DISTRUST_DATABASE, NULL);
  self->session = soup_session_new_with_options ("user-agent", "ziti-enroll/" PACKAGE_VERSION,
                                                 "timeout", self->timeout,
                                                 "idle-timeout", 60,
                                                 "max-conns-per-host", 1,
                                                 "tls-database", database,
                                                 NULL);

  return self;
}

ZeToken *
ze_controller_get_token (ZeController *self)
{
  g_return_val_if_fail (ZE_IS_CONTROLLER (self), NULL);

  return self->token;
}

/**
 * ze_controller_get_leaf:
 *
 * Returns: (transfer none) (nullable): the certificate the controller
 *   presented on the first connection, once that connection was made
 */
ZeCertificate *
ze_controller_get_leaf (ZeController *self)
{
  g_return_val_if_fail (ZE_IS_CONTROLLER (self), NULL);

  return self->leaf;
}

/**
 * ze_controller_confirm_leaf:
 *
 * The person (or a pin) trusts the captured leaf: from now on a connection
 * is accepted only if it presents exactly this certificate.
 */
void
ze_controller_confirm_leaf (ZeController *self)
{
  g_return_if_fail (ZE_IS_CONTROLLER (self));
  g_return_if_fail (self->leaf != NULL);

  self->confirmed = TRUE;
}

/**
 * ze_controller_set_client_certificate:
 *
 * The certificate and key presented to the controller for ottca and ca
 * enrollments. It is sent only on a new connection to the confirmed leaf.
 */
void
ze_controller_set_client_certificate (ZeController    *self,
                                      GTlsCertificate *certificate)
{
  g_return_if_fail (ZE_IS_CONTROLLER (self));

  g_set_object (&self->client_certificate, certificate);
}

gboolean
ze_controller_get_request_sent (ZeController *self)
{
  g_return_val_if_fail (ZE_IS_CONTROLLER (self), FALSE);

  return self->request_sent;
}

/**
 * ze_controller_get_handshakes:
 *
 * Returns: how many TLS handshakes were accepted so far
 */
guint
ze_controller_get_handshakes (ZeController *self)
{
  g_return_val_if_fail (ZE_IS_CONTROLLER (self), 0);

  return self->handshakes;
}

static gboolean
on_accept_certificate_cb (SoupMessage          *message,
                          GTlsCertificate      *peer,
                          GTlsCertificateFlags  errors,
                          ZeController         *self)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ZeCertificate) presented = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (ZE_IS_CONTROLLER (self));

  g_object_get (peer, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;
  bytes = g_bytes_new (der->data, der->len);

  if (!(presented = ze_certificate_new_from_der (bytes, &error)))
    {
      g_clear_error (&self->trust_error);
      self->trust_error = g_steal_pointer (&error);
      return FALSE;
    }

  if (self->leaf == NULL)
    {
      /* The first connection: the token decides. */
      g_signal_emit (self, signals[CERTIFICATE_RECEIVED], 0, presented);

      if (!ze_token_verify_signature (self->token, bytes, &error))
        {
          g_clear_error (&self->trust_error);
          self->trust_error = g_steal_pointer (&error);
          return FALSE;
        }

      self->leaf = g_object_ref (presented);
      self->handshakes++;
      g_signal_emit (self, signals[TOKEN_VERIFIED], 0);
      return TRUE;
    }

  if (ze_certificate_equal (presented, self->leaf) && (self->confirmed || !self->request_sent))
    {
      self->handshakes++;
      return TRUE;
    }

  g_clear_error (&self->trust_error);
  self->trust_error = g_error_new (ZE_ERROR, ZE_ERROR_CERTIFICATE_CHANGED,
                                   _("The controller at %s presented a different certificate "
                                     "on a new connection than the one you trusted. Someone may "
                                     "be intercepting the connection. Nothing was sent; try again "
                                     "later, or tell your administrator."),
                                   self->host_port);
  return FALSE;
}

/* ---- one request: timeout, body cap, error mapping ---- */

typedef struct
{
  SoupMessage  *message;
  GCancellable *cancellable;     /* the caller's, chained into ours */
  GCancellable *ours;
  GByteArray   *body;
  GInputStream *stream;
  gulong        cancelled_id;
  guint         timeout_id;
  guint         timed_out : 1;
} Request;

static void
request_free (Request *request)
{
  g_clear_handle_id (&request->timeout_id, g_source_remove);
  if (request->cancelled_id != 0)
    g_cancellable_disconnect (request->cancellable, request->cancelled_id);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->ours);
  g_clear_object (&request->message);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_free (request);
}

static gboolean
request_timeout_cb (gpointer user_data)
{
  Request *request = user_data;

  request->timeout_id = 0;
  request->timed_out = TRUE;
  g_cancellable_cancel (request->ours);

  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled_cb (GCancellable *cancellable,
                        GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

/* libsoup re-sends a message marked idempotent when a re-used connection
 * turns out to be closed. The enrollment is marked so only to ride the first
 * connection; once it was written out, a silent second send could hit an
 * already consumed token, so it is stopped and the outcome stays unknown. */
static void
on_restarted_cb (SoupMessage  *message,
                 ZeController *self)
{
  GCancellable *ours = g_object_get_data (G_OBJECT (message), "ze-cancellable");

  if (!self->request_sent)
    return;

  self->resend_blocked = TRUE;
  if (ours != NULL)
    g_cancellable_cancel (ours);
}

static void
on_wrote_body_cb (SoupMessage  *message,
                  ZeController *self)
{
  self->request_sent = TRUE;
  g_signal_emit (self, signals[REQUEST_SENT], 0);
}

/* Turns a transport error into a ZE_ERROR a person can act on. */
static GError *
map_transport_error (ZeController *self,
                     Request      *request,
                     GError       *error)
{
  if (self->resend_blocked)
    return g_error_new (ZE_ERROR, ZE_ERROR_CONNECTION_LOST,
                        _("The connection to the controller at %s closed after the enrollment "
                          "was sent, so it is not known whether it succeeded."),
                        self->host_port);

  if (request->timed_out)
    return g_error_new (ZE_ERROR, ZE_ERROR_TIMEOUT,
                        _("The controller at %s did not answer within %u seconds. It may be "
                          "down or overloaded, or a firewall may be in the way. Try again later."),
                        self->host_port, self->timeout);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (self->trust_error != NULL)
    return g_error_copy (self->trust_error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (ZE_ERROR, ZE_ERROR_TIMEOUT,
                        _("The controller at %s did not answer within %u seconds. It may be "
                          "down or overloaded, or a firewall may be in the way. Try again later."),
                        self->host_port, self->timeout);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (ZE_ERROR, ZE_ERROR_TLS,
                        _("The secure connection to the controller at %s failed (%s). "
                          "Check that the address is right; a proxy that inspects HTTPS "
                          "traffic can cause this."),
                        self->host_port, error->message);

  if (self->request_sent)
    return g_error_new (ZE_ERROR, ZE_ERROR_CONNECTION_LOST,
                        _("The connection to the controller at %s was lost after the enrollment "
                          "was sent (%s), so it is not known whether it succeeded."),
                        self->host_port, error->message);

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (ZE_ERROR, ZE_ERROR_NETWORK,
                        _("The controller’s address %s could not be found (%s). Check your "
                          "network connection, or ask your administrator whether the "
                          "address is right."),
                        self->host_port, error->message);

  return g_error_new (ZE_ERROR, ZE_ERROR_NETWORK,
                      _("Could not reach the controller at %s (%s). Check your network "
                        "connection and try again; if it keeps failing, tell your "
                        "administrator."),
                      self->host_port, error->message);
}

static void request_read_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data);

static void
request_read_next (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (request->stream, 64 * 1024, G_PRIORITY_DEFAULT,
                                   request->ours, request_read_cb, task);
}

static void
request_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeController *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GError) error = NULL;

  if (!(chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error)))
    {
      g_task_return_error (task, map_transport_error (self, request, error));
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (request->body->len + g_bytes_get_size (chunk) > ZE_CONTROLLER_MAX_BODY)
    {
      g_cancellable_cancel (request->ours);
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_RESPONSE_TOO_LARGE,
                               _("The controller at %s sent an answer larger than %d KiB, "
                                 "which no real controller does. It was not read further. "
                                 "Tell your administrator."),
                               self->host_port, ZE_CONTROLLER_MAX_BODY / 1024);
      return;
    }

  g_byte_array_append (request->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  request_read_next (g_steal_pointer (&task));
}

static void
request_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeController *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->stream == NULL)
    {
      g_task_return_error (task, map_transport_error (self, request, error));
      return;
    }

  status = soup_message_get_status (request->message);
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_REDIRECT,
                               _("The controller at %s answered with a redirect (HTTP %u), which "
                                 "enrollment never follows. The token may point to the wrong "
                                 "address; tell your administrator."),
                               self->host_port, status);
      return;
    }

  request_read_next (g_steal_pointer (&task));
}

static void
send_request (ZeController        *self,
              SoupMessage         *message,
              GCancellable        *cancellable,
              gpointer             source_tag,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  request = g_new0 (Request, 1);
  request->message = g_object_ref (message);
  request->body = g_byte_array_new ();
  request->ours = g_cancellable_new ();
  if (cancellable != NULL)
    {
      request->cancellable = g_object_ref (cancellable);
      request->cancelled_id = g_cancellable_connect (cancellable,
                                                     G_CALLBACK (on_caller_cancelled_cb),
                                                     g_object_ref (request->ours),
                                                     g_object_unref);
    }
  request->timeout_id = g_timeout_add_seconds (self->timeout, request_timeout_cb, request);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  g_object_set_data_full (G_OBJECT (message), "ze-cancellable",
                          g_object_ref (request->ours), g_object_unref);
  g_signal_connect_object (message, "accept-certificate",
                           G_CALLBACK (on_accept_certificate_cb), self, 0);

  soup_session_send_async (self->session, message, G_PRIORITY_DEFAULT, request->ours,
                           request_sent_cb, g_steal_pointer (&task));
}

static char *
build_url (ZeController *self,
           const char   *path)
{
  return g_strconcat (ze_token_get_controller_url (self->token), path, NULL);
}

static char *
response_media_type (SoupMessage *message)
{
  const char *type = soup_message_headers_get_content_type (soup_message_get_response_headers (message), NULL);

  return type != NULL ? g_ascii_strdown (type, -1) : NULL;
}

static JsonNode *
parse_json (GByteArray *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (body->len == 0 ||
      !g_utf8_validate ((const char *)body->data, body->len, NULL) ||
      !json_parser_load_from_data (parser, (const char *)body->data, body->len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return NULL;

  return json_node_copy (root);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  return NULL;
}

/* The controller's error envelope (protocol.md §6), mapped to what to do. */
static GError *
error_from_answer (ZeController *self,
                   SoupMessage  *message,
                   GByteArray   *body)
{
  g_autoptr(JsonNode) root = parse_json (body);
  JsonObject *error = object_member (root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL, "error");
  const char *code = string_member (error, "code");
  guint status = soup_message_get_status (message);

  if (g_strcmp0 (code, "INVALID_ENROLLMENT_TOKEN") == 0)
    return g_error_new_literal (ZE_ERROR, ZE_ERROR_CONTROLLER_TOKEN_USED,
                                _("The controller does not accept this token: it was already "
                                  "used, or it was replaced by a newer one. Ask your "
                                  "administrator for a new token."));
  if (g_strcmp0 (code, "ENROLLMENT_EXPIRED") == 0)
    return g_error_new_literal (ZE_ERROR, ZE_ERROR_CONTROLLER_TOKEN_EXPIRED,
                                _("The controller says this token has expired. Ask your "
                                  "administrator for a new token."));
  if (g_strcmp0 (code, "INVALID_ENROLL_METHOD") == 0)
    return g_error_new_literal (ZE_ERROR, ZE_ERROR_CONTROLLER_METHOD,
                                _("The controller does not allow this kind of enrollment for "
                                  "this token. Ask your administrator for a new token."));
  if (g_strcmp0 (code, "COULD_NOT_PROCESS_CSR") == 0 ||
      g_strcmp0 (code, "MISSING_OR_INVALID_CSR") == 0)
    return g_error_new_literal (ZE_ERROR, ZE_ERROR_CONTROLLER_CSR,
                                _("The controller could not use the certificate request. Try "
                                  "another key type; if it keeps failing, tell your "
                                  "administrator."));
  if (g_strcmp0 (code, "CERTIFICATE_FAILED_VALIDATION") == 0 ||
      g_strcmp0 (code, "CERT_FAILED_VALIDATION") == 0 ||
      g_strcmp0 (code, "ENROLLMENT_CA_NOT_VALID") == 0 ||
      g_strcmp0 (code, "ENROLLMENT_NO_VALID_CAS") == 0 ||
      g_strcmp0 (code, "MISSING_CERT_CLAIM") == 0)
    return g_error_new_literal (ZE_ERROR, ZE_ERROR_CONTROLLER_CERTIFICATE_REJECTED,
                                _("The controller did not accept your certificate: it was not "
                                  "issued by a certificate authority the network trusts for "
                                  "enrollment. Check that you chose the right certificate and "
                                  "key, or ask your administrator."));
  if (g_strcmp0 (code, "CERT_IN_USE") == 0)
    return g_error_new_literal (ZE_ERROR, ZE_ERROR_CONTROLLER_CERTIFICATE_IN_USE,
                                _("Your certificate is already used by another identity. Use "
                                  "another certificate, or ask your administrator."));
  if (g_strcmp0 (code, "UNSUPPORTED_MEDIA") == 0 || status == SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE)
    return g_error_new_literal (ZE_ERROR, ZE_ERROR_CONTROLLER_UNSUPPORTED_MEDIA,
                                _("The controller did not understand the enrollment request. "
                                  "This version may not work with your controller; tell your "
                                  "administrator."));
  if (status >= 500)
    return g_error_new (ZE_ERROR, ZE_ERROR_CONTROLLER_INTERNAL,
                        _("The controller at %s had an internal error (HTTP %u). Try again "
                          "later; if it keeps failing, tell your administrator."),
                        self->host_port, status);

  return g_error_new (ZE_ERROR, ZE_ERROR_CONTROLLER_REFUSED,
                      _("The controller at %s refused the enrollment (HTTP %u, %s). Tell "
                        "your administrator."),
                      self->host_port, status, code != NULL ? code : _("no reason given"));
}

/* ---- GET /.well-known/est/cacerts ---- */

static void
fetch_ca_bundle_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeController *self = ZE_CONTROLLER (object);
  Request *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) cas = NULL;
  g_autofree char *type = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  type = response_media_type (request->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (request->message)) ||
      g_strcmp0 (type, "application/json") == 0)
    {
      g_task_return_error (task, error_from_answer (self, request->message, request->body));
      return;
    }

  body = g_bytes_new (request->body->data, request->body->len);
  if (!(cas = ze_ca_bundle_parse_pkcs7_base64 (body, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&cas), (GDestroyNotify)g_ptr_array_unref);
}

/**
 * ze_controller_fetch_ca_bundle_async:
 *
 * Steps 1 to 3 of the enrollment: connects to the token's `iss`, accepts its
 * certificate only if the token's signature verifies against it, and fetches
 * the controller's CA bundle over that connection.
 */
void
ze_controller_fetch_ca_bundle_async (ZeController        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (ZE_IS_CONTROLLER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ze_controller_fetch_ca_bundle_async);

  url = build_url (self, "/edge/client/v1/.well-known/est/cacerts");
  message = soup_message_new (SOUP_METHOD_GET, url);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "application/pkcs7-mime");

  send_request (self, message, cancellable, ze_controller_fetch_ca_bundle_async,
                fetch_ca_bundle_cb, g_steal_pointer (&task));
}

/**
 * ze_controller_fetch_ca_bundle_finish:
 *
 * Returns: (transfer full): the CA certificates (#ZeCertificate), or %NULL
 */
GPtrArray *
ze_controller_fetch_ca_bundle_finish (ZeController  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (ZE_IS_CONTROLLER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- POST /enroll ---- */

typedef struct
{
  char *certificate_pem;
  char *username;
} EnrollAnswer;

static void
enroll_answer_free (EnrollAnswer *answer)
{
  g_free (answer->certificate_pem);
  g_free (answer->username);
  g_free (answer);
}

static void
enroll_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeController *self = ZE_CONTROLLER (object);
  Request *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *type = NULL;
  EnrollAnswer *answer;
  JsonObject *data;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (request->message)))
    {
      g_task_return_error (task, error_from_answer (self, request->message, request->body));
      return;
    }

  answer = g_new0 (EnrollAnswer, 1);
  type = response_media_type (request->message);

  /* Controllers before v1.5 answered ott with the bare PEM chain (protocol.md §5.1). */
  if (g_strcmp0 (type, "application/x-pem-file") == 0)
    {
      answer->certificate_pem = g_strndup ((const char *)request->body->data, request->body->len);
    }
  else if ((root = parse_json (request->body)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      data = object_member (json_node_get_object (root), "data");
      answer->certificate_pem = g_strdup (string_member (data, "cert"));
      answer->username = g_strdup (string_member (data, "username"));

      if (data == NULL)
        goto invalid;
    }
  else
    goto invalid;

  g_task_return_pointer (task, answer, (GDestroyNotify)enroll_answer_free);
  return;

invalid:
  enroll_answer_free (answer);
  g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_RESPONSE_INVALID,
                           _("The controller at %s answered the enrollment with something that "
                             "is not an enrollment result, so it is not known whether it "
                             "succeeded."),
                           self->host_port);
}

/**
 * ze_controller_enroll_async:
 * @self: a #ZeController whose leaf was confirmed
 * @content_type: the request's Content-Type
 * @body: the request body (a CSR PEM, or JSON)
 *
 * Step 9: `POST /edge/client/v1/enroll?method=M&token=JTI`. It re-uses the
 * first connection when it is still open; a new connection must present the
 * confirmed leaf. With a client certificate (ottca, ca), a new connection is
 * always made, so the certificate is presented in its handshake.
 */
void
ze_controller_enroll_async (ZeController        *self,
                            const char          *content_type,
                            GBytes              *body,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token_id = NULL;
  ZeEnrollMethod method;

  g_return_if_fail (ZE_IS_CONTROLLER (self));
  g_return_if_fail (self->confirmed);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ze_controller_enroll_async);

  method = ze_token_get_method (self->token);
  if (method != ZE_ENROLL_METHOD_CA && ze_token_get_token_id (self->token) != NULL)
    {
      token_id = g_uri_escape_string (ze_token_get_token_id (self->token), NULL, FALSE);
      url = g_strdup_printf ("%s/edge/client/v1/enroll?method=%s&token=%s",
                             ze_token_get_controller_url (self->token),
                             ze_enroll_method_to_string (method), token_id);
    }
  else
    url = g_strdup_printf ("%s/edge/client/v1/enroll?method=%s",
                           ze_token_get_controller_url (self->token),
                           ze_enroll_method_to_string (method));

  message = soup_message_new (SOUP_METHOD_POST, url);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "application/json");
  soup_message_set_request_body_from_bytes (message, content_type, body);
  g_signal_connect_object (message, "wrote-body", G_CALLBACK (on_wrote_body_cb), self, 0);
  g_signal_connect_object (message, "restarted", G_CALLBACK (on_restarted_cb), self, 0);

  if (self->client_certificate != NULL)
    {
      soup_message_set_tls_client_certificate (message, self->client_certificate);
      soup_message_add_flags (message, SOUP_MESSAGE_NEW_CONNECTION);
    }
  else
    {
      /* Otherwise libsoup opens a new connection for every POST. */
      soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
    }

  send_request (self, message, cancellable, ze_controller_enroll_async,
                enroll_cb, g_steal_pointer (&task));
}

gboolean
ze_controller_enroll_finish (ZeController  *self,
                             GAsyncResult  *result,
                             char         **certificate_pem,
                             char         **username,
                             GError       **error)
{
  EnrollAnswer *answer;

  g_return_val_if_fail (ZE_IS_CONTROLLER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!(answer = g_task_propagate_pointer (G_TASK (result), error)))
    return FALSE;

  if (certificate_pem != NULL)
    *certificate_pem = g_steal_pointer (&answer->certificate_pem);
  if (username != NULL)
    *username = g_steal_pointer (&answer->username);
  enroll_answer_free (answer);

  return TRUE;
}
