/* ze-enroller.c
 *
 * One enrollment as one GTask: a step enum and one advance() dispatcher
 * (style.md snippet 4). Each step fills one field of the Enroll state; the
 * next step is whatever is still missing. The flow pauses at the trust
 * decision until ze_enroller_decide_trust() is called, unless a pinned
 * fingerprint or trust-on-first-use decides.
 *
 * Invariants (design.md §3, §4): nothing but the TLS handshake and the CA
 * bundle GET reaches the controller before trust is confirmed; the key is
 * handed to the store before anything is sent; once the request is sent the
 * key is never dropped, and a failure then leaves a pending identity.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ze-enroller.h"
#include "ze-error.h"
#include "ze-file-util-private.h"

struct _ZeEnroller
{
  GObject          parent_instance;

  ZeToken         *token;
  ZeController    *controller;
  ZeIdentityStore *store;
  char            *name;
  char            *expected_fingerprint;
  gboolean         pause_at_trust;
  char            *client_certificate_pem;
  ZeKeyPair       *client_key;
  char            *password;
  GPtrArray       *cas;
  ZeIdentity      *identity;
  GTask           *paused;          /* waiting for decide_trust() */
  ZeKeyType        key_type;
  ZeEnrollStep     step;
  guint            timeout;
  guint            managed_pin : 1;
  guint            tofu : 1;
  guint            running : 1;
  guint            sent : 1;
};

G_DEFINE_FINAL_TYPE (ZeEnroller, ze_enroller, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STEP,
  PROP_SENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  STEP_CHANGED,
  TRUST_REQUIRED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  TRUST_UNDECIDED,
  TRUST_ASKED,
  TRUST_YES,
} Trust;

typedef struct
{
  ZeEnroller   *self;               /* unowned: the task holds it */
  GCancellable *send_cancellable;   /* cancelled by the caller only until the request is out */
  gulong        cancelled_id;
  gulong        paused_cancelled_id;
  ZeKeyPair    *key;
  GBytes       *request_body;
  const char   *content_type;
  char         *certificate_pem;
  char         *username;
  GError       *failure;            /* set while the store is being undone */
  Trust         trust;
  guint         chain_checked : 1;
  guint         key_ready : 1;
  guint         key_from_store : 1;   /* made inside the store (a token): undo removes it */
  guint         key_stored : 1;
  guint         answered : 1;
  guint         saved : 1;
} Enroll;

static void
enroll_free (Enroll *state)
{
  g_clear_object (&state->send_cancellable);
  g_clear_object (&state->key);
  g_clear_pointer (&state->request_body, g_bytes_unref);
  g_clear_pointer (&state->certificate_pem, g_free);
  g_clear_pointer (&state->username, g_free);
  g_clear_error (&state->failure);
  g_free (state);
}

static void
ze_enroller_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ZeEnroller *self = ZE_ENROLLER (object);

  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_int (value, self->step);
      break;

    case PROP_SENT:
      g_value_set_boolean (value, self->sent);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ze_enroller_dispose (GObject *object)
{
  ZeEnroller *self = (ZeEnroller *)object;

  g_clear_object (&self->controller);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ze_enroller_parent_class)->dispose (object);
}

static void
ze_enroller_finalize (GObject *object)
{
  ZeEnroller *self = (ZeEnroller *)object;

  g_assert (self->paused == NULL);

  g_clear_object (&self->token);
  g_clear_object (&self->client_key);
  g_clear_object (&self->identity);
  g_clear_pointer (&self->cas, g_ptr_array_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->expected_fingerprint, g_free);
  g_clear_pointer (&self->client_certificate_pem, g_free);
  _ze_wipe_string (self->password);
  g_clear_pointer (&self->password, g_free);

  G_OBJECT_CLASS (ze_enroller_parent_class)->finalize (object);
}

static void
ze_enroller_class_init (ZeEnrollerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ze_enroller_dispose;
  object_class->finalize = ze_enroller_finalize;
  object_class->get_property = ze_enroller_get_property;

  properties[PROP_STEP] =
    g_param_spec_int ("step", NULL, NULL,
                      ZE_ENROLL_STEP_NONE, ZE_ENROLL_STEP_DONE, ZE_ENROLL_STEP_NONE,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ZeEnroller:sent:
   *
   * The enrollment request has been sent: from now on the token may be
   * consumed, so cancelling no longer stops anything; the answer is awaited.
   */
  properties[PROP_SENT] =
    g_param_spec_boolean ("sent", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ZeEnroller::step-changed:
   * @step: a #ZeEnrollStep
   * @state: a #ZeStepState
   *
   * Each step starts (RUNNING), then ends (DONE or FAILED).
   */
  signals[STEP_CHANGED] =
    g_signal_new ("step-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);

  /**
   * ZeEnroller::trust-required:
   * @leaf: the controller's certificate
   *
   * The flow waits for ze_enroller_decide_trust(): no fingerprint was
   * expected and trust on first use is off, or the expected one matched and
   * ze_enroller_set_pause_at_trust() asked for the pause. The CA bundle is in
   * ze_enroller_get_ca_bundle(). Options can still be set until it resumes.
   */
  signals[TRUST_REQUIRED] =
    g_signal_new ("trust-required", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ZE_TYPE_CERTIFICATE);
}

static void
ze_enroller_init (ZeEnroller *self)
{
  self->key_type = ZE_KEY_TYPE_EC_P256;
  self->timeout = ZE_CONTROLLER_DEFAULT_TIMEOUT;
}

ZeEnroller *
ze_enroller_new (ZeToken *token)
{
  ZeEnroller *self;

  g_return_val_if_fail (ZE_IS_TOKEN (token), NULL);

  self = g_object_new (ZE_TYPE_ENROLLER, NULL);
  self->token = g_object_ref (token);

  return self;
}

ZeToken *
ze_enroller_get_token (ZeEnroller *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLER (self), NULL);

  return self->token;
}

void
ze_enroller_set_name (ZeEnroller *self,
                      const char *name)
{
  g_return_if_fail (ZE_IS_ENROLLER (self));
  g_return_if_fail (!self->running || self->step < ZE_ENROLL_STEP_STORE_KEY);

  g_free (self->name);
  self->name = g_strdup (name);
}

void
ze_enroller_set_store (ZeEnroller      *self,
                       ZeIdentityStore *store)
{
  g_return_if_fail (ZE_IS_ENROLLER (self));
  g_return_if_fail (ZE_IS_IDENTITY_STORE (store));
  g_return_if_fail (!self->running || self->step < ZE_ENROLL_STEP_GENERATE_KEY);

  g_set_object (&self->store, store);
}

void
ze_enroller_set_key_type (ZeEnroller *self,
                          ZeKeyType   key_type)
{
  g_return_if_fail (ZE_IS_ENROLLER (self));

  self->key_type = key_type;
}

void
ze_enroller_set_timeout (ZeEnroller *self,
                         guint       seconds)
{
  g_return_if_fail (ZE_IS_ENROLLER (self));
  g_return_if_fail (!self->running);

  self->timeout = seconds > 0 ? seconds : ZE_CONTROLLER_DEFAULT_TIMEOUT;
}

/**
 * ze_enroller_set_client_certificate:
 * @certificate_pem: the user's certificate (and its chain), for ottca and ca
 * @key: its private key
 *
 * Returns: %FALSE with %ZE_ERROR_INPUT_INVALID if @key does not belong to
 *   the certificate
 */
gboolean
ze_enroller_set_client_certificate (ZeEnroller  *self,
                                    const char  *certificate_pem,
                                    ZeKeyPair   *key,
                                    GError     **error)
{
  g_autoptr(ZeCertificate) certificate = NULL;
  g_autoptr(GBytes) public_key = NULL;

  g_return_val_if_fail (ZE_IS_ENROLLER (self), FALSE);
  g_return_val_if_fail (certificate_pem != NULL, FALSE);
  g_return_val_if_fail (ZE_IS_KEY_PAIR (key), FALSE);

  if (!(certificate = ze_certificate_new_from_pem (certificate_pem, -1, error)))
    return FALSE;

  public_key = ze_key_pair_get_public_key_der (key);
  if (public_key == NULL || !ze_certificate_has_public_key_of (certificate, public_key))
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                           _("The private key does not belong to the certificate. Choose the "
                             "key file that was made together with this certificate."));
      return FALSE;
    }

  g_free (self->client_certificate_pem);
  self->client_certificate_pem = g_strdup (certificate_pem);
  g_set_object (&self->client_key, key);

  return TRUE;
}

void
ze_enroller_set_password (ZeEnroller *self,
                          const char *password)
{
  g_return_if_fail (ZE_IS_ENROLLER (self));

  _ze_wipe_string (self->password);
  g_free (self->password);
  self->password = g_strdup (password);
}

/**
 * ze_enroller_set_expected_fingerprint:
 * @sha256_hex: the controller certificate's SHA-256, as 64 hex digits
 * @managed: %TRUE when it comes from the organization's settings (a pin),
 *   %FALSE when the user typed it
 *
 * The trust decision is made by comparison: a match confirms without asking,
 * a mismatch stops before any key is generated.
 */
void
ze_enroller_set_expected_fingerprint (ZeEnroller *self,
                                      const char *sha256_hex,
                                      gboolean    managed)
{
  g_return_if_fail (ZE_IS_ENROLLER (self));

  g_free (self->expected_fingerprint);
  self->expected_fingerprint = g_ascii_strdown (sha256_hex, -1);
  self->managed_pin = !!managed;
}

void
ze_enroller_set_trust_on_first_use (ZeEnroller *self,
                                    gboolean    tofu)
{
  g_return_if_fail (ZE_IS_ENROLLER (self));

  self->tofu = !!tofu;
}

/**
 * ze_enroller_set_pause_at_trust:
 * @pause: %TRUE to pause at the trust step even when the expected fingerprint
 *   matches
 *
 * A wizard learns the controller's certificate before it asks for the
 * options (the store, a password, a certificate of its own). With a pin it
 * still needs that pause: the run emits #ZeEnroller::trust-required after the
 * match, and ze_enroller_decide_trust() resumes it over the same connection.
 * A mismatch stops the run all the same.
 */
void
ze_enroller_set_pause_at_trust (ZeEnroller *self,
                                gboolean    pause)
{
  g_return_if_fail (ZE_IS_ENROLLER (self));
  g_return_if_fail (!self->running);

  self->pause_at_trust = !!pause;
}

/* What the token's method needs from the person: checked before anything is
 * sent, and before the run starts when it cannot pause to be given them. */
static gboolean
check_method_inputs (ZeEnroller  *self,
                     GError     **error)
{
  ZeEnrollMethod method = ze_token_get_method (self->token);

  if ((method == ZE_ENROLL_METHOD_OTTCA || method == ZE_ENROLL_METHOD_CA) &&
      self->client_certificate_pem == NULL)
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                           _("This token enrolls with a certificate from your organization: "
                             "choose that certificate and its private key."));
      return FALSE;
    }

  if (method == ZE_ENROLL_METHOD_UPDB && (self->password == NULL || *self->password == '\0'))
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                           _("This token enrolls with a password: choose one."));
      return FALSE;
    }

  return TRUE;
}

ZeEnrollStep
ze_enroller_get_step (ZeEnroller *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLER (self), ZE_ENROLL_STEP_NONE);

  return self->step;
}

gboolean
ze_enroller_get_sent (ZeEnroller *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLER (self), FALSE);

  return self->sent;
}

/**
 * ze_enroller_get_controller:
 *
 * Returns: (transfer none) (nullable): the controller, once the run started
 */
ZeController *
ze_enroller_get_controller (ZeEnroller *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLER (self), NULL);

  return self->controller;
}

ZeCertificate *
ze_enroller_get_leaf (ZeEnroller *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLER (self), NULL);

  return self->controller != NULL ? ze_controller_get_leaf (self->controller) : NULL;
}

/**
 * ze_enroller_get_ca_bundle:
 *
 * Returns: (transfer none) (nullable) (element-type ZeCertificate): the CA bundle
 */
GPtrArray *
ze_enroller_get_ca_bundle (ZeEnroller *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLER (self), NULL);

  return self->cas;
}

/**
 * ze_enroller_get_identity:
 *
 * Returns: (transfer none) (nullable): the identity being made, from step 7
 *   on; after a failure it tells whether a pending identity was kept, and where
 */
ZeIdentity *
ze_enroller_get_identity (ZeEnroller *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLER (self), NULL);

  return self->identity;
}

static void
set_step (ZeEnroller   *self,
          ZeEnrollStep  step)
{
  g_assert (ZE_IS_ENROLLER (self));

  if (self->step == step)
    return;

  if (self->step != ZE_ENROLL_STEP_NONE)
    g_signal_emit (self, signals[STEP_CHANGED], 0, self->step, ZE_STEP_STATE_DONE);

  self->step = step;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);

  if (step != ZE_ENROLL_STEP_DONE)
    g_signal_emit (self, signals[STEP_CHANGED], 0, step, ZE_STEP_STATE_RUNNING);
}

static void enroll_advance (GTask *task);

/* Adds what happened to the key to a failure's message. */
static GError *
explain_pending (ZeEnroller *self,
                 GError     *error)
{
  const char *location = self->identity != NULL ? ze_identity_get_location (self->identity) : NULL;
  GError *explained;

  explained = g_error_new (error->domain, error->code,
                           _("%s The controller may already have used up the token. Your new "
                             "private key was kept, marked as pending, in %s (token id %s): "
                             "give that and the token id to your administrator, who can tell "
                             "whether the enrollment went through."),
                           error->message,
                           location != NULL ? location : _("the identity store"),
                           ze_token_get_token_id (self->token) != NULL
                             ? ze_token_get_token_id (self->token) : "-");
  g_error_free (error);

  return explained;
}

static void
enroll_aborted_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeEnroller *self = g_task_get_source_object (task);
  Enroll *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ze_identity_store_abort_finish (ZE_IDENTITY_STORE (object), result, &error))
    g_warning ("Could not remove the unused pending identity: %s", error->message);

  g_clear_object (&self->identity);
  self->running = FALSE;
  g_task_return_error (task, g_steal_pointer (&state->failure));
}

/* Ends the run with @error. Before anything was sent, or when the controller
 * clearly refused, what this run stored is removed; when the outcome is
 * unknown, the pending identity is kept and the message says so. */
static void
enroll_fail (GTask  *task_ref,
             GError *error)
{
  g_autoptr(GTask) task = task_ref;
  ZeEnroller *self = g_task_get_source_object (task);
  Enroll *state = g_task_get_task_data (task);
  gboolean refused;

  g_signal_emit (self, signals[STEP_CHANGED], 0, self->step, ZE_STEP_STATE_FAILED);

  refused = error->domain == ZE_ERROR &&
            ze_error_exit_status (error) == 5 &&
            error->code != ZE_ERROR_CONTROLLER_INTERNAL;

  if (state->key_stored && self->sent && !refused)
    {
      ze_identity_set_pending (self->identity, TRUE);
      self->running = FALSE;
      g_task_return_error (task, explain_pending (self, error));
      return;
    }

  if (state->key_stored || state->key_from_store)
    {
      state->failure = error;
      ze_identity_store_abort_async (self->store, self->identity, NULL,
                                     enroll_aborted_cb, g_steal_pointer (&task));
      return;
    }

  self->running = FALSE;
  g_task_return_error (task, error);
}

static void
on_certificate_received_cb (ZeEnroller    *self,
                            ZeCertificate *leaf)
{
  set_step (self, ZE_ENROLL_STEP_VERIFY_TOKEN);
}

static void
on_token_verified_cb (ZeEnroller *self)
{
  set_step (self, ZE_ENROLL_STEP_FETCH_CA);
}

static void
enroll_ca_fetched_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeEnroller *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!(self->cas = ze_controller_fetch_ca_bundle_finish (ZE_CONTROLLER (object), result, &error)))
    {
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  enroll_advance (g_steal_pointer (&task));
}

static gboolean
check_chain (ZeEnroller  *self,
             GError     **error)
{
  ZeCertificate *leaf = ze_controller_get_leaf (self->controller);

  return ze_certificate_verify_chain (leaf, NULL, self->cas, ze_token_get_host (self->token),
                                      g_get_real_time () / G_USEC_PER_SEC, error);
}

/* Returns TRUE when decided (trusted); FALSE with @error when refused;
 * FALSE without @error when the caller must decide. */
static gboolean
decide_by_policy (ZeEnroller  *self,
                  GError     **error)
{
  ZeCertificate *leaf = ze_controller_get_leaf (self->controller);
  g_autofree char *actual = ze_certificate_dup_fingerprint_hex (leaf);
  g_autofree char *shown = ze_certificate_dup_fingerprint_sha256 (leaf);
  g_autofree char *host = ze_token_dup_host_and_port (self->token);

  if (self->expected_fingerprint != NULL)
    {
      if (g_strcmp0 (self->expected_fingerprint, actual) == 0)
        return TRUE;

      if (self->managed_pin)
        g_set_error (error, ZE_ERROR, ZE_ERROR_PIN_MISMATCH,
                     _("Your organization has pinned the certificate of the controller at %s, "
                       "and the certificate it presents now (SHA-256 %s) is not that one. "
                       "Enrollment is blocked; contact your help desk."),
                     host, shown);
      else
        g_set_error (error, ZE_ERROR, ZE_ERROR_FINGERPRINT_MISMATCH,
                     _("The controller at %s presents a certificate whose SHA-256 fingerprint "
                       "is %s, not the one you gave. Check the fingerprint with your "
                       "administrator; nothing was sent."),
                     host, shown);
      return FALSE;
    }

  return self->tofu;
}

static void
enroll_key_generated_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Enroll *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (ZE_IS_IDENTITY_STORE (object))
    {
      state->key = ze_identity_store_generate_key_finish (ZE_IDENTITY_STORE (object), result, &error);
      state->key_from_store = state->key != NULL;
    }
  else
    state->key = ze_key_pair_generate_finish (result, &error);

  if (state->key == NULL)
    {
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  state->key_ready = TRUE;
  enroll_advance (g_steal_pointer (&task));
}

static void
enroll_key_stored_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Enroll *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ze_identity_store_begin_finish (ZE_IDENTITY_STORE (object), result, &error))
    {
      /* The store may have written part of it (cancelled while it worked): undo. */
      state->key_stored = TRUE;
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  state->key_stored = TRUE;
  enroll_advance (g_steal_pointer (&task));
}

static gboolean
create_request (ZeEnroller  *self,
                Enroll      *state,
                GError     **error)
{
  ZeEnrollMethod method = ze_token_get_method (self->token);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  char *text;
  gsize len;

  if (method == ZE_ENROLL_METHOD_OTT)
    {
      g_autofree char *csr = ze_key_pair_create_csr (state->key,
                                                     ze_token_get_issuer (self->token),
                                                     ze_token_get_subject (self->token),
                                                     error);
      if (csr == NULL)
        return FALSE;

      len = strlen (csr);
      state->request_body = g_bytes_new_take (g_steal_pointer (&csr), len);
      state->content_type = "application/x-pem-file";
      return TRUE;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  if (method == ZE_ENROLL_METHOD_UPDB)
    {
      json_builder_set_member_name (builder, "password");
      json_builder_add_string_value (builder, self->password);
    }
  else
    {
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, self->name);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  if (method == ZE_ENROLL_METHOD_UPDB)
    {
      JsonNode *password = json_object_get_member (json_node_get_object (root), "password");

      _ze_wipe_string ((char *)json_node_get_string (password));
    }

  state->request_body = g_bytes_new_with_free_func (text, len, (GDestroyNotify)_ze_wipe_and_free, text);
  state->content_type = "application/json";
  return TRUE;
}

static void
enroll_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Enroll *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (state->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), state->cancelled_id);
  state->cancelled_id = 0;

  if (!ze_controller_enroll_finish (ZE_CONTROLLER (object), result,
                                    &state->certificate_pem, &state->username, &error))
    {
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  state->answered = TRUE;
  enroll_advance (g_steal_pointer (&task));
}

static void
on_request_sent_cb (ZeEnroller *self)
{
  if (self->sent)
    return;

  self->sent = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENT]);
}

static void
on_send_cancelled_cb (GCancellable *cancellable,
                      Enroll       *state)
{
  /* Once the request is out, the token may be consumed: wait for the answer. */
  if (!ze_controller_get_request_sent (state->self->controller))
    g_cancellable_cancel (state->send_cancellable);
}

static gboolean
check_issued_certificate (ZeEnroller  *self,
                          Enroll      *state,
                          GError     **error)
{
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) intermediates = NULL;
  g_autoptr(GBytes) public_key = NULL;
  ZeCertificate *leaf;

  if (state->certificate_pem == NULL ||
      !(chain = ze_certificate_list_new_from_pem (state->certificate_pem, -1, NULL)))
    goto invalid;

  leaf = g_ptr_array_index (chain, 0);
  public_key = ze_key_pair_get_public_key_der (state->key);
  if (public_key == NULL || !ze_certificate_has_public_key_of (leaf, public_key))
    goto invalid;

  intermediates = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 1; i < chain->len; i++)
    g_ptr_array_add (intermediates, g_object_ref (g_ptr_array_index (chain, i)));

  if (!ze_certificate_verify_chain (leaf, intermediates, self->cas, NULL,
                                    g_get_real_time () / G_USEC_PER_SEC, NULL))
    goto invalid;

  return TRUE;

invalid:
  g_set_error_literal (error, ZE_ERROR, ZE_ERROR_ISSUED_CERTIFICATE_INVALID,
                       _("The controller sent back a certificate that is not for your new key, "
                         "or that its own certificate authority did not issue, so it was not "
                         "stored."));
  return FALSE;
}

static void
enroll_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Enroll *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ze_identity_store_complete_finish (ZE_IDENTITY_STORE (object), result, &error))
    {
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  state->saved = TRUE;
  enroll_advance (g_steal_pointer (&task));
}

static ZeIdentity *
create_identity (ZeEnroller *self)
{
  ZeIdentity *identity = ze_identity_new (self->name);
  g_autofree char *ca_pem = ze_ca_bundle_to_pem (self->cas);
  g_autofree char *fingerprint = ze_certificate_dup_fingerprint_hex (ze_controller_get_leaf (self->controller));
  const char *urls[] = { ze_token_get_controller_url (self->token), NULL };

  ze_identity_set_controller_url (identity, ze_token_get_controller_url (self->token));
  ze_identity_set_controller_urls (identity, urls);
  ze_identity_set_ca_pem (identity, ca_pem);
  ze_identity_set_token_id (identity, ze_token_get_token_id (self->token));
  ze_identity_set_method (identity, ze_token_get_method (self->token));
  ze_identity_set_controller_fingerprint (identity, fingerprint);
  ze_identity_set_pending (identity, TRUE);

  /* ottca and ca: the certificate is the user's own. */
  if (self->client_certificate_pem != NULL)
    ze_identity_set_certificate_pem (identity, self->client_certificate_pem);

  return identity;
}

static gboolean
resume_cancelled_cb (gpointer user_data)
{
  g_autoptr(ZeEnroller) self = user_data;
  GTask *task = g_steal_pointer (&self->paused);
  Enroll *state;

  if (task == NULL)
    return G_SOURCE_REMOVE;

  state = g_task_get_task_data (task);
  g_cancellable_disconnect (g_task_get_cancellable (task), state->paused_cancelled_id);
  state->paused_cancelled_id = 0;
  enroll_advance (task);   /* sees the cancellation and ends the run */

  return G_SOURCE_REMOVE;
}

static void
on_paused_cancelled_cb (GCancellable *cancellable,
                        ZeEnroller   *self)
{
  /* Possibly in another thread, and inside the cancellable's lock: resume from an idle. */
  g_idle_add (resume_cancelled_cb, g_object_ref (self));
}

/* Takes ownership of @task_ref. */
static void
enroll_advance (GTask *task_ref)
{
  g_autoptr(GTask) task = task_ref;
  ZeEnroller *self = g_task_get_source_object (task);
  Enroll *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  ZeEnrollMethod method = ze_token_get_method (self->token);
  g_autoptr(GError) error = NULL;

  if (!self->sent && g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  if (self->cas == NULL)
    {
      set_step (self, ZE_ENROLL_STEP_CONNECT);
      ze_controller_fetch_ca_bundle_async (self->controller, cancellable,
                                           enroll_ca_fetched_cb, g_steal_pointer (&task));
    }
  else if (!state->chain_checked)
    {
      set_step (self, ZE_ENROLL_STEP_VERIFY_CHAIN);
      if (!check_chain (self, &error))
        {
          enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
          return;
        }
      state->chain_checked = TRUE;
      enroll_advance (g_steal_pointer (&task));
    }
  else if (state->trust != TRUST_YES)
    {
      set_step (self, ZE_ENROLL_STEP_TRUST);

      if (state->trust == TRUST_ASKED)
        {
          g_set_error_literal (&error, ZE_ERROR, ZE_ERROR_TRUST_REFUSED,
                               _("You did not trust the controller, so nothing was sent to it "
                                 "and no key was made."));
          enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
        }
      else if (decide_by_policy (self, &error) && !self->pause_at_trust)
        {
          state->trust = TRUST_YES;
          ze_controller_confirm_leaf (self->controller);
          enroll_advance (g_steal_pointer (&task));
        }
      else if (error != NULL)
        enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      else
        {
          /* Wait for the person: decide_trust() resumes, or cancelling. */
          state->trust = TRUST_ASKED;
          if (cancellable != NULL)
            state->paused_cancelled_id = g_cancellable_connect (cancellable,
                                                                G_CALLBACK (on_paused_cancelled_cb),
                                                                self, NULL);
          self->paused = g_steal_pointer (&task);
          g_signal_emit (self, signals[TRUST_REQUIRED], 0, ze_controller_get_leaf (self->controller));
        }
    }
  else if (!state->key_ready)
    {
      set_step (self, ZE_ENROLL_STEP_GENERATE_KEY);

      if (!check_method_inputs (self, &error))
        enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      else if (method == ZE_ENROLL_METHOD_UPDB)
        {
          state->key_ready = TRUE;
          enroll_advance (g_steal_pointer (&task));
        }
      else if (self->client_key != NULL)
        {
          state->key = g_object_ref (self->client_key);
          state->key_ready = TRUE;
          enroll_advance (g_steal_pointer (&task));
        }
      else if (ze_identity_store_can_generate_key (self->store))
        {
          g_set_object (&self->identity, NULL);
          self->identity = create_identity (self);
          ze_identity_store_generate_key_async (self->store, self->identity, self->key_type,
                                                cancellable, enroll_key_generated_cb,
                                                g_steal_pointer (&task));
        }
      else
        ze_key_pair_generate_async (self->key_type, cancellable,
                                    enroll_key_generated_cb, g_steal_pointer (&task));
    }
  else if (!state->key_stored)
    {
      set_step (self, ZE_ENROLL_STEP_STORE_KEY);
      if (self->identity == NULL)
        self->identity = create_identity (self);
      ze_identity_store_begin_async (self->store, self->identity, state->key, cancellable,
                                     enroll_key_stored_cb, g_steal_pointer (&task));
    }
  else if (state->request_body == NULL)
    {
      set_step (self, ZE_ENROLL_STEP_CREATE_REQUEST);
      if (!create_request (self, state, &error))
        {
          enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
          return;
        }
      enroll_advance (g_steal_pointer (&task));
    }
  else if (!state->answered)
    {
      set_step (self, ZE_ENROLL_STEP_SEND);

      if (self->client_certificate_pem != NULL)
        {
          g_autofree char *key_pem = ze_key_pair_export_pkcs8_pem (self->client_key, &error);
          g_autofree char *both = NULL;
          g_autoptr(GTlsCertificate) tls = NULL;

          if (key_pem != NULL)
            {
              both = g_strconcat (self->client_certificate_pem, "\n", key_pem, NULL);
              _ze_wipe_string (key_pem);
              tls = g_tls_certificate_new_from_pem (both, -1, &error);
              _ze_wipe_string (both);
            }

          if (tls == NULL)
            {
              GError *input = g_error_new (ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                                           _("Your certificate or its key could not be used (%s). "
                                             "Check that both files are PEM."),
                                           error->message);

              enroll_fail (g_steal_pointer (&task), input);
              return;
            }

          ze_controller_set_client_certificate (self->controller, tls);
        }

      state->send_cancellable = g_cancellable_new ();
      if (cancellable != NULL)
        state->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_send_cancelled_cb),
                                                     state, NULL);
      ze_controller_enroll_async (self->controller, state->content_type, state->request_body,
                                  state->send_cancellable, enroll_sent_cb,
                                  g_steal_pointer (&task));
    }
  else if (!state->saved)
    {
      set_step (self, ZE_ENROLL_STEP_SAVE);

      if (method == ZE_ENROLL_METHOD_OTT)
        {
          if (!check_issued_certificate (self, state, &error))
            {
              enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
              return;
            }
          ze_identity_set_certificate_pem (self->identity, state->certificate_pem);
        }

      if (state->username != NULL)
        ze_identity_set_username (self->identity, state->username);

      ze_identity_store_complete_async (self->store, self->identity, NULL,
                                        enroll_saved_cb, g_steal_pointer (&task));
    }
  else
    {
      set_step (self, ZE_ENROLL_STEP_DONE);
      self->running = FALSE;
      g_task_return_pointer (task, g_object_ref (self->identity), g_object_unref);
    }
}

/**
 * ze_enroller_decide_trust:
 * @trusted: whether the person trusts the controller's certificate
 *
 * Resumes a run paused at the trust decision (see #ZeEnroller::trust-required).
 */
void
ze_enroller_decide_trust (ZeEnroller *self,
                          gboolean    trusted)
{
  GTask *task;
  Enroll *state;

  g_return_if_fail (ZE_IS_ENROLLER (self));
  g_return_if_fail (self->paused != NULL);

  task = g_steal_pointer (&self->paused);
  state = g_task_get_task_data (task);
  if (state->paused_cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), state->paused_cancelled_id);
  state->paused_cancelled_id = 0;

  if (trusted)
    {
      state->trust = TRUST_YES;
      ze_controller_confirm_leaf (self->controller);
    }

  enroll_advance (task);
}

/**
 * ze_enroller_run_async:
 *
 * Runs the enrollment (design.md §2 steps 5 to 10). Set the store and the name
 * first. The options the token's method needs (ze_enroller_set_password(),
 * ze_enroller_set_client_certificate()) can also be set while the run waits
 * at #ZeEnroller::trust-required; they are checked before anything is sent.
 */
void
ze_enroller_run_async (ZeEnroller          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  ZeEnrollMethod method;

  g_return_if_fail (ZE_IS_ENROLLER (self));
  g_return_if_fail (!self->running);
  g_return_if_fail (ZE_IS_IDENTITY_STORE (self->store));
  g_return_if_fail (self->name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ze_enroller_run_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_new0 (Enroll, 1), (GDestroyNotify)enroll_free);
  ((Enroll *)g_task_get_task_data (task))->self = self;

  self->running = TRUE;
  method = ze_token_get_method (self->token);

  if (!ze_token_check_expiry (self->token, g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  if (method == ZE_ENROLL_METHOD_NETWORK)
    {
      g_set_error_literal (&error, ZE_ERROR, ZE_ERROR_TOKEN_UNSUPPORTED,
                           _("This is a network token, which creates a new identity without an "
                             "administrator. This version cannot enroll with it yet; ask your "
                             "administrator for a one-time token."));
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  /* A run that will not pause cannot be given them later: say so before connecting. */
  if ((self->expected_fingerprint != NULL || self->tofu) && !self->pause_at_trust &&
      !check_method_inputs (self, &error))
    {
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  if (!ze_identity_name_is_valid (self->name))
    {
      g_set_error (&error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                   _("“%s” cannot be an identity name: use up to 100 letters, digits and "
                     "punctuation, without “/” and not starting with a dot."),
                   self->name);
      enroll_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  self->controller = ze_controller_new (self->token, self->timeout);
  g_signal_connect_object (self->controller, "certificate-received",
                           G_CALLBACK (on_certificate_received_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->controller, "token-verified",
                           G_CALLBACK (on_token_verified_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->controller, "request-sent",
                           G_CALLBACK (on_request_sent_cb), self, G_CONNECT_SWAPPED);

  enroll_advance (g_steal_pointer (&task));
}

/**
 * ze_enroller_run_finish:
 *
 * Returns: (transfer full): the stored identity, or %NULL with @error set;
 *   then ze_enroller_get_identity() tells whether a pending one was kept
 */
ZeIdentity *
ze_enroller_run_finish (ZeEnroller    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (ZE_IS_ENROLLER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
ze_enroll_step_describe (ZeEnrollStep step)
{
  switch (step)
    {
    case ZE_ENROLL_STEP_NONE:           return _("Waiting");
    case ZE_ENROLL_STEP_CONNECT:        return _("Connecting to the controller");
    case ZE_ENROLL_STEP_VERIFY_TOKEN:   return _("Checking that the controller issued the token");
    case ZE_ENROLL_STEP_FETCH_CA:       return _("Getting the network’s certificate authority");
    case ZE_ENROLL_STEP_VERIFY_CHAIN:   return _("Checking the controller’s certificate");
    case ZE_ENROLL_STEP_TRUST:          return _("Confirming trust in the controller");
    case ZE_ENROLL_STEP_GENERATE_KEY:   return _("Creating your private key");
    case ZE_ENROLL_STEP_STORE_KEY:      return _("Storing your private key");
    case ZE_ENROLL_STEP_CREATE_REQUEST: return _("Preparing the enrollment request");
    case ZE_ENROLL_STEP_SEND:           return _("Enrolling with the controller");
    case ZE_ENROLL_STEP_SAVE:           return _("Saving your identity");
    case ZE_ENROLL_STEP_DONE:           return _("Done");
    default:                            return "";
    }
}
