/* ze-enrollment.c: the state the wizard's pages share (no GTK)
 *
 * One enrollment, as the pages see it: the token, the controller's
 * certificate once known, the person's options, and the outcome. It drives
 * one ZeEnroller and reports through the "state" property and the
 * "step-changed" signal, so it could move to the core unchanged.
 *
 * The ZeEnroller run starts as soon as the token is open and pauses at
 * "trust-required", after the TLS handshake and the CA bundle GET: the
 * person compares the certificate, or the organisation's pin has matched
 * (ze_enroller_set_pause_at_trust() pauses the run then too). The options
 * (store, name, key type, a password, a certificate of one's own) are set
 * while it waits, and ze_enrollment_enroll() resumes it with
 * ze_enroller_decide_trust(): the enrollment goes over the same connection,
 * one TLS handshake for ott and updb. (ottca and ca present a certificate of
 * their own, which takes a second handshake, with the trusted controller.)
 * Nothing but the handshake and the public CA bundle reaches the controller
 * before the person (or the pin) has confirmed trust.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/gnutls.h>

#include "ze-enrollment.h"
#include "ze-enrollment-private.h"

#define N_STEPS (ZE_ENROLL_STEP_DONE + 1)

/* ---- a store that refuses everything: the run's store until one is chosen ---- */

#define ZE_TYPE_UNSET_STORE (ze_unset_store_get_type ())
G_DECLARE_FINAL_TYPE (ZeUnsetStore, ze_unset_store, ZE, UNSET_STORE, GObject)

struct _ZeUnsetStore
{
  GObject parent_instance;
};

static void
report_unset (gpointer             source,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             tag)
{
  g_task_report_new_error (source, callback, user_data, tag,
                           ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                           _("No place to keep the private key was chosen."));
}

static const char *
ze_unset_store_get_kind (ZeIdentityStore *store)
{
  return "none";
}

static void
ze_unset_store_begin_async (ZeIdentityStore     *store,
                            ZeIdentity          *identity,
                            ZeKeyPair           *key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  report_unset (store, callback, user_data, ze_unset_store_begin_async);
}

static void
ze_unset_store_identity_async (ZeIdentityStore     *store,
                               ZeIdentity          *identity,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  report_unset (store, callback, user_data, ze_unset_store_identity_async);
}

static gboolean
ze_unset_store_finish (ZeIdentityStore  *store,
                       GAsyncResult     *result,
                       GError          **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ze_unset_store_iface_init (ZeIdentityStoreInterface *iface)
{
  iface->get_kind = ze_unset_store_get_kind;
  iface->begin_async = ze_unset_store_begin_async;
  iface->begin_finish = ze_unset_store_finish;
  iface->complete_async = ze_unset_store_identity_async;
  iface->complete_finish = ze_unset_store_finish;
  iface->abort_async = ze_unset_store_identity_async;
  iface->abort_finish = ze_unset_store_finish;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ZeUnsetStore, ze_unset_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZE_TYPE_IDENTITY_STORE,
                                                      ze_unset_store_iface_init))

static void
ze_unset_store_class_init (ZeUnsetStoreClass *klass)
{
}

static void
ze_unset_store_init (ZeUnsetStore *self)
{
}

/* ---- the enrollment ---- */

struct _ZeEnrollment
{
  GObject            parent_instance;

  /* What to enroll with */
  ZeToken           *token;
  char              *source_name;
  char              *pin;
  guint              timeout;

  /* The run */
  ZeEnroller        *enroller;
  GCancellable      *cancellable;
  ZeCertificate     *leaf;
  GPtrArray         *cas;
  GError            *error;
  ZeIdentity        *identity;
  int                step_states[N_STEPS];
  ZeEnrollmentState  state;

  /* The person's options */
  char              *name;
  ZeIdentityStore   *store;
  char              *password;
  char              *client_certificate_pem;
  ZeKeyPair         *client_key;
  ZeKeyType          key_type;

  guint              sent : 1;
  guint              paused : 1;      /* the enroller waits for decide_trust() */
  guint              cancelling : 1;
};

G_DEFINE_FINAL_TYPE (ZeEnrollment, ze_enrollment, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_SENT,
  PROP_TOKEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  STEP_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wipe_string (char **text)
{
  if (*text != NULL)
    {
      gnutls_memset (*text, 0, strlen (*text));
      g_clear_pointer (text, g_free);
    }
}

static void
set_state (ZeEnrollment      *self,
           ZeEnrollmentState  state)
{
  g_assert (ZE_IS_ENROLLMENT (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_sent (ZeEnrollment *self,
          gboolean      sent)
{
  sent = !!sent;
  if (self->sent == sent)
    return;

  self->sent = sent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENT]);
}

static void
clear_steps (ZeEnrollment *self)
{
  for (guint i = 0; i < N_STEPS; i++)
    self->step_states[i] = ZE_STEP_STATE_PENDING;
}

static void
record_step (ZeEnrollment *self,
             int           step,
             int           state)
{
  if (step < 0 || step >= N_STEPS)
    return;

  self->step_states[step] = state;
  g_signal_emit (self, signals[STEP_CHANGED], 0, step, state);
}

/* Forgets the run (not the token nor the options). What still runs in the
 * core finishes on its own: its callbacks see they are stale. */
static void
drop_run (ZeEnrollment *self)
{
  if (self->enroller != NULL)
    g_signal_handlers_disconnect_by_data (self->enroller, self);

  if (self->cancellable != NULL && !self->sent)
    g_cancellable_cancel (self->cancellable);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->enroller);
  g_clear_object (&self->leaf);
  g_clear_pointer (&self->cas, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->identity);
  clear_steps (self);
  self->paused = FALSE;
  self->cancelling = FALSE;
  set_sent (self, FALSE);
}

static void
fail (ZeEnrollment *self,
      GError       *error)
{
  g_assert (ZE_IS_ENROLLMENT (self));
  g_assert (error != NULL);

  g_clear_error (&self->error);
  self->error = error;
  self->paused = FALSE;
  g_clear_object (&self->cancellable);
  set_state (self, ZE_ENROLLMENT_STATE_FAILED);
}

static void
ze_enrollment_dispose (GObject *object)
{
  ZeEnrollment *self = (ZeEnrollment *)object;

  drop_run (self);

  G_OBJECT_CLASS (ze_enrollment_parent_class)->dispose (object);
}

static void
ze_enrollment_finalize (GObject *object)
{
  ZeEnrollment *self = (ZeEnrollment *)object;

  g_clear_object (&self->token);
  g_clear_object (&self->store);
  g_clear_object (&self->client_key);
  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->pin, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->client_certificate_pem, g_free);
  wipe_string (&self->password);

  G_OBJECT_CLASS (ze_enrollment_parent_class)->finalize (object);
}

static void
ze_enrollment_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ZeEnrollment *self = ZE_ENROLLMENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    case PROP_SENT:
      g_value_set_boolean (value, self->sent);
      break;

    case PROP_TOKEN:
      g_value_set_object (value, self->token);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ze_enrollment_class_init (ZeEnrollmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ze_enrollment_dispose;
  object_class->finalize = ze_enrollment_finalize;
  object_class->get_property = ze_enrollment_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      ZE_ENROLLMENT_STATE_NONE, ZE_ENROLLMENT_STATE_FAILED,
                      ZE_ENROLLMENT_STATE_NONE,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ZeEnrollment:sent:
   *
   * The enrollment request is out: cancelling no longer stops anything, and
   * the answer is awaited so that the new key is not lost.
   */
  properties[PROP_SENT] =
    g_param_spec_boolean ("sent", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TOKEN] =
    g_param_spec_object ("token", NULL, NULL, ZE_TYPE_TOKEN,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ZeEnrollment::step-changed:
   * @step: a #ZeEnrollStep
   * @state: a #ZeStepState
   *
   * Relays #ZeEnroller::step-changed.
   */
  signals[STEP_CHANGED] =
    g_signal_new ("step-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
}

static void
ze_enrollment_init (ZeEnrollment *self)
{
  self->key_type = ZE_KEY_TYPE_EC_P256;
  self->timeout = ZE_CONTROLLER_DEFAULT_TIMEOUT;
  clear_steps (self);
}

ZeEnrollment *
ze_enrollment_new (void)
{
  return g_object_new (ZE_TYPE_ENROLLMENT, NULL);
}

ZeToken *
ze_enrollment_get_token (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->token;
}

/**
 * ze_enrollment_get_source_name:
 *
 * Returns: (nullable): the base name of the file the token came from
 */
const char *
ze_enrollment_get_source_name (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->source_name;
}

/**
 * ze_enrollment_set_token:
 * @token: (nullable): the token
 * @source_name: (nullable): the base name of its file, if it came from one
 *
 * Starts over with @token: whatever ran is dropped, the options are kept.
 */
void
ze_enrollment_set_token (ZeEnrollment *self,
                         ZeToken      *token,
                         const char   *source_name)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));
  g_return_if_fail (!token || ZE_IS_TOKEN (token));

  ze_enrollment_reset (self);

  g_free (self->source_name);
  self->source_name = g_strdup (source_name);
  g_clear_pointer (&self->pin, g_free);
  g_clear_pointer (&self->name, g_free);

  if (g_set_object (&self->token, token))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

/**
 * ze_enrollment_dup_default_name:
 *
 * Returns: the name proposed for the identity: the token file's name
 *   without ".jwt", else the token's subject, else "ziti-identity"
 */
char *
ze_enrollment_dup_default_name (ZeEnrollment *self)
{
  const char *subject;

  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  if (self->source_name != NULL)
    {
      g_autofree char *base = g_strdup (self->source_name);

      if (g_str_has_suffix (base, ".jwt"))
        base[strlen (base) - strlen (".jwt")] = '\0';
      if (ze_identity_name_is_valid (base))
        return g_steal_pointer (&base);
    }

  subject = self->token != NULL ? ze_token_get_subject (self->token) : NULL;
  if (subject != NULL && ze_identity_name_is_valid (subject))
    return g_strdup (subject);

  return g_strdup ("ziti-identity");
}

const char *
ze_enrollment_get_pin (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->pin;
}

/**
 * ze_enrollment_set_pin:
 * @sha256_hex: (nullable): the fingerprint the organisation pinned for the
 *   token's controller, as 64 hex digits (colons allowed)
 *
 * Set before ze_enrollment_connect(): a matching certificate is trusted
 * without asking, any other one blocks the enrollment.
 */
void
ze_enrollment_set_pin (ZeEnrollment *self,
                       const char   *sha256_hex)
{
  g_autofree char *hex = NULL;

  g_return_if_fail (ZE_IS_ENROLLMENT (self));

  /* A pin that is not a fingerprint matches nothing: it still blocks. */
  if (sha256_hex != NULL && !ze_fingerprint_normalize (sha256_hex, &hex))
    hex = g_strdup ("-");

  g_free (self->pin);
  self->pin = g_steal_pointer (&hex);
}

void
ze_enrollment_set_timeout (ZeEnrollment *self,
                           guint         seconds)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));

  self->timeout = seconds > 0 ? seconds : ZE_CONTROLLER_DEFAULT_TIMEOUT;
}

ZeEnrollmentState
ze_enrollment_get_state (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), ZE_ENROLLMENT_STATE_NONE);

  return self->state;
}

/**
 * ze_enrollment_is_open:
 *
 * Returns: whether replacing the token now would throw away work in
 *   progress: a connection, a trust decision, or an enrollment
 */
gboolean
ze_enrollment_is_open (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), FALSE);

  return self->state == ZE_ENROLLMENT_STATE_CONNECTING ||
         self->state == ZE_ENROLLMENT_STATE_TRUST_REQUIRED ||
         self->state == ZE_ENROLLMENT_STATE_TRUSTED ||
         self->state == ZE_ENROLLMENT_STATE_ENROLLING;
}

ZeCertificate *
ze_enrollment_get_leaf (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->leaf;
}

GPtrArray *
ze_enrollment_get_ca_bundle (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->cas;
}

gboolean
ze_enrollment_get_sent (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), FALSE);

  return self->sent;
}

/**
 * ze_enrollment_get_step_state:
 *
 * Returns: a #ZeStepState, or %ZE_STEP_STATE_PENDING if @step has not started
 */
int
ze_enrollment_get_step_state (ZeEnrollment *self,
                              ZeEnrollStep  step)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), ZE_STEP_STATE_PENDING);
  g_return_val_if_fail (step < N_STEPS, ZE_STEP_STATE_PENDING);

  return self->step_states[step];
}

const GError *
ze_enrollment_get_error (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->error;
}

/**
 * ze_enrollment_get_identity:
 *
 * Returns: (nullable): the stored identity when done; after a failure, the
 *   pending identity that was kept, if any
 */
ZeIdentity *
ze_enrollment_get_identity (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->identity;
}

void
ze_enrollment_set_name (ZeEnrollment *self,
                        const char   *name)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));

  g_free (self->name);
  self->name = g_strdup (name);
}

/**
 * ze_enrollment_get_name:
 *
 * Returns: (nullable): the name chosen with ze_enrollment_set_name()
 */
const char *
ze_enrollment_get_name (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->name;
}

void
ze_enrollment_set_store (ZeEnrollment    *self,
                         ZeIdentityStore *store)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));
  g_return_if_fail (!store || ZE_IS_IDENTITY_STORE (store));

  g_set_object (&self->store, store);
}

ZeIdentityStore *
ze_enrollment_get_store (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  return self->store;
}

void
ze_enrollment_set_key_type (ZeEnrollment *self,
                            ZeKeyType     key_type)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));

  self->key_type = key_type;
}

/**
 * ze_enrollment_set_password:
 * @password: (nullable): the password for an updb token
 *
 * The copy is wiped once handed to the enroller, or when replaced.
 */
void
ze_enrollment_set_password (ZeEnrollment *self,
                            const char   *password)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));

  wipe_string (&self->password);
  self->password = g_strdup (password);
}

/**
 * ze_enrollment_set_client_certificate:
 * @certificate_pem: (nullable): the person's certificate, for ottca and ca tokens
 * @key: (nullable): its private key
 */
void
ze_enrollment_set_client_certificate (ZeEnrollment *self,
                                      const char   *certificate_pem,
                                      ZeKeyPair    *key)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));
  g_return_if_fail (!key || ZE_IS_KEY_PAIR (key));

  g_free (self->client_certificate_pem);
  self->client_certificate_pem = g_strdup (certificate_pem);
  g_set_object (&self->client_key, key);
}

/* ---- the run ---- */

static void
on_step_changed_cb (ZeEnrollment *self,
                    int           step,
                    int           state,
                    ZeEnroller   *enroller)
{
  record_step (self, step, state);
}

static void
on_sent_changed_cb (ZeEnrollment *self,
                    GParamSpec   *pspec,
                    ZeEnroller   *enroller)
{
  set_sent (self, ze_enroller_get_sent (enroller));
}

static void
on_trust_required_cb (ZeEnrollment  *self,
                      ZeCertificate *leaf,
                      ZeEnroller    *enroller)
{
  GPtrArray *cas = ze_enroller_get_ca_bundle (enroller);

  g_set_object (&self->leaf, leaf);
  g_clear_pointer (&self->cas, g_ptr_array_unref);
  self->cas = cas != NULL ? g_ptr_array_ref (cas) : NULL;
  self->paused = TRUE;

  /* With a pin the run pauses only once the certificate matched it. */
  set_state (self, self->pin != NULL ? ZE_ENROLLMENT_STATE_TRUSTED
                                     : ZE_ENROLLMENT_STATE_TRUST_REQUIRED);
}

static void
ze_enrollment_run_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ZeEnrollment) self = user_data;
  ZeEnroller *enroller = ZE_ENROLLER (object);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  ZeIdentity *pending;

  identity = ze_enroller_run_finish (enroller, result, &error);

  if (enroller != self->enroller)
    return;   /* dropped by reset() or cancel() */

  self->paused = FALSE;

  if (identity != NULL)
    {
      g_set_object (&self->identity, identity);
      g_clear_object (&self->cancellable);
      set_state (self, ZE_ENROLLMENT_STATE_DONE);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->cancelling)
    {
      /* Cancelled before anything was sent: the core removed what it stored. */
      drop_run (self);
      set_state (self, ZE_ENROLLMENT_STATE_NONE);
      return;
    }

  pending = ze_enroller_get_identity (enroller);
  if (pending != NULL && ze_identity_get_pending (pending))
    g_set_object (&self->identity, pending);

  fail (self, g_steal_pointer (&error));
}

static ZeEnroller *
create_enroller (ZeEnrollment *self)
{
  ZeEnroller *enroller = ze_enroller_new (self->token);

  ze_enroller_set_timeout (enroller, self->timeout);
  g_signal_connect_object (enroller, "step-changed",
                           G_CALLBACK (on_step_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (enroller, "notify::sent",
                           G_CALLBACK (on_sent_changed_cb), self, G_CONNECT_SWAPPED);

  return enroller;
}

/* Hands the person's options to the enroller; the password copy is wiped. */
static gboolean
apply_options (ZeEnrollment  *self,
               GError       **error)
{
  g_autofree char *name = self->name != NULL ? g_strdup (self->name)
                                             : ze_enrollment_dup_default_name (self);

  ze_enroller_set_name (self->enroller, name);
  ze_enroller_set_store (self->enroller, self->store);
  ze_enroller_set_key_type (self->enroller, self->key_type);

  if (self->password != NULL)
    {
      ze_enroller_set_password (self->enroller, self->password);
      wipe_string (&self->password);
    }

  if (self->client_certificate_pem != NULL && self->client_key != NULL &&
      !ze_enroller_set_client_certificate (self->enroller, self->client_certificate_pem,
                                           self->client_key, error))
    return FALSE;

  return TRUE;
}

/* The certificate is known and its chain checked, without a run (tests): a pin
 * decides, or the person. */
static void
decide_without_run (ZeEnrollment  *self,
                    ZeCertificate *leaf,
                    GPtrArray     *cas)
{
  g_autofree char *actual = NULL;

  g_set_object (&self->leaf, leaf);
  g_clear_pointer (&self->cas, g_ptr_array_unref);
  self->cas = cas != NULL ? g_ptr_array_ref (cas) : NULL;

  if (self->pin == NULL)
    {
      set_state (self, ZE_ENROLLMENT_STATE_TRUST_REQUIRED);
      return;
    }

  actual = ze_certificate_dup_fingerprint_hex (leaf);
  if (g_strcmp0 (actual, self->pin) == 0)
    {
      set_state (self, ZE_ENROLLMENT_STATE_TRUSTED);
    }
  else
    {
      g_autofree char *host = ze_token_dup_host_and_port (self->token);
      g_autofree char *shown = ze_certificate_dup_fingerprint_sha256 (leaf);

      /* The same words as the core's, which checks the pin again when enrolling. */
      fail (self, g_error_new (ZE_ERROR, ZE_ERROR_PIN_MISMATCH,
                               _("Your organization has pinned the certificate of the controller "
                                 "at %s, and the certificate it presents now (SHA-256 %s) is not "
                                 "that one. Enrollment is blocked; contact your help desk."),
                               host, shown));
    }
}

/**
 * ze_enrollment_connect:
 *
 * Connects to the token's controller: the state goes to CONNECTING, then to
 * TRUST_REQUIRED (or TRUSTED by a pin), or to FAILED.
 */
void
ze_enrollment_connect (ZeEnrollment *self)
{
  g_autoptr(ZeIdentityStore) unset = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (ZE_IS_ENROLLMENT (self));
  g_return_if_fail (ZE_IS_TOKEN (self->token));
  g_return_if_fail (!ze_enrollment_is_open (self));

  drop_run (self);
  self->cancellable = g_cancellable_new ();
  set_state (self, ZE_ENROLLMENT_STATE_CONNECTING);

  /* The real name and store are set before the pause ends. */
  unset = g_object_new (ZE_TYPE_UNSET_STORE, NULL);
  name = ze_enrollment_dup_default_name (self);
  self->enroller = create_enroller (self);
  ze_enroller_set_name (self->enroller, name);
  ze_enroller_set_store (self->enroller, unset);
  if (self->pin != NULL)
    {
      /* A mismatch ends the run with the core's words; a match still pauses. */
      ze_enroller_set_expected_fingerprint (self->enroller, self->pin, TRUE);
      ze_enroller_set_pause_at_trust (self->enroller, TRUE);
    }
  g_signal_connect_object (self->enroller, "trust-required",
                           G_CALLBACK (on_trust_required_cb), self, G_CONNECT_SWAPPED);
  ze_enroller_run_async (self->enroller, self->cancellable,
                         ze_enrollment_run_cb, g_object_ref (self));
}

/**
 * ze_enrollment_enroll:
 *
 * Confirms trust and enrolls with the options set: the state goes to
 * ENROLLING, then DONE or FAILED. Call it in TRUST_REQUIRED or TRUSTED, with
 * a store set.
 */
void
ze_enrollment_enroll (ZeEnrollment *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ZE_IS_ENROLLMENT (self));
  g_return_if_fail (self->state == ZE_ENROLLMENT_STATE_TRUST_REQUIRED ||
                    self->state == ZE_ENROLLMENT_STATE_TRUSTED);
  g_return_if_fail (ZE_IS_IDENTITY_STORE (self->store));

  if (self->enroller != NULL && self->paused)
    {
      if (!apply_options (self, &error))
        {
          fail (self, g_steal_pointer (&error));
          return;
        }

      self->paused = FALSE;
      set_state (self, ZE_ENROLLMENT_STATE_ENROLLING);
      ze_enroller_decide_trust (self->enroller, TRUE);
      return;
    }

  /* No paused run (after _ze_enrollment_set_trust_required() in tests): a new
   * run must meet the certificate that was trusted. */
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();

  self->enroller = create_enroller (self);
  clear_steps (self);

  if (self->pin != NULL)
    ze_enroller_set_expected_fingerprint (self->enroller, self->pin, TRUE);
  else
    {
      g_autofree char *hex = ze_certificate_dup_fingerprint_hex (self->leaf);

      ze_enroller_set_expected_fingerprint (self->enroller, hex, FALSE);
    }

  if (!apply_options (self, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  set_state (self, ZE_ENROLLMENT_STATE_ENROLLING);
  ze_enroller_run_async (self->enroller, self->cancellable,
                         ze_enrollment_run_cb, g_object_ref (self));
}

/**
 * ze_enrollment_cancel:
 *
 * Stops the connection or the enrollment. Before the request is sent,
 * nothing is left behind and the state goes back to NONE (at once, or when
 * the core has removed what it stored); once it is sent, nothing happens.
 *
 * Returns: %FALSE if the request was already sent
 */
gboolean
ze_enrollment_cancel (ZeEnrollment *self)
{
  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), FALSE);

  if (self->sent)
    return FALSE;

  switch (self->state)
    {
    case ZE_ENROLLMENT_STATE_ENROLLING:
      /* The core undoes what it stored, then the run ends: wait for that. */
      self->cancelling = TRUE;
      if (self->cancellable != NULL)
        g_cancellable_cancel (self->cancellable);
      return TRUE;

    case ZE_ENROLLMENT_STATE_CONNECTING:
    case ZE_ENROLLMENT_STATE_TRUST_REQUIRED:
    case ZE_ENROLLMENT_STATE_TRUSTED:
      drop_run (self);
      set_state (self, ZE_ENROLLMENT_STATE_NONE);
      return TRUE;

    case ZE_ENROLLMENT_STATE_NONE:
    case ZE_ENROLLMENT_STATE_DONE:
    case ZE_ENROLLMENT_STATE_FAILED:
    default:
      return TRUE;
    }
}

/**
 * ze_enrollment_reset:
 *
 * Drops the run (cancelling it if nothing was sent yet) and goes back to
 * NONE, keeping the token.
 */
void
ze_enrollment_reset (ZeEnrollment *self)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));

  drop_run (self);
  set_state (self, ZE_ENROLLMENT_STATE_NONE);
}

/**
 * ze_enrollment_can_retry:
 *
 * Returns: whether trying again is safe: the failure happened before the
 *   request was sent (so the token was not used) and could be passing
 *   (the network, a time-out, the key store)
 */
gboolean
ze_enrollment_can_retry (ZeEnrollment *self)
{
  int status;

  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), FALSE);

  if (self->state != ZE_ENROLLMENT_STATE_FAILED || self->error == NULL || self->sent)
    return FALSE;

  status = ze_error_exit_status (self->error);

  return status == 6 || status == 7;
}

/**
 * ze_enrollment_dup_error_details:
 *
 * Returns: what the help desk needs about the failure, as plain text: the
 *   error's nick and message, the controller, the token id; never the token
 */
char *
ze_enrollment_dup_error_details (ZeEnrollment *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S UTC");

  g_return_val_if_fail (ZE_IS_ENROLLMENT (self), NULL);

  g_string_append_printf (text, "Ziti Enroll %s\n", PACKAGE_VERSION);
  g_string_append_printf (text, "Time: %s\n", when);

  if (self->error != NULL)
    {
      if (self->error->domain == ZE_ERROR)
        g_string_append_printf (text, "Error: %s\n", ze_error_get_nick (self->error->code));
      else
        g_string_append_printf (text, "Error: %s %d\n",
                                g_quark_to_string (self->error->domain), self->error->code);
      g_string_append_printf (text, "Message: %s\n", self->error->message);
    }

  if (self->token != NULL)
    {
      g_autofree char *host = ze_token_dup_host_and_port (self->token);
      const char *token_id = ze_token_get_token_id (self->token);
      const char *subject = ze_token_get_subject (self->token);

      g_string_append_printf (text, "Controller: %s\n", host);
      g_string_append_printf (text, "Method: %s\n",
                              ze_enroll_method_to_string (ze_token_get_method (self->token)));
      g_string_append_printf (text, "Token id: %s\n", token_id != NULL ? token_id : "-");
      g_string_append_printf (text, "Identity: %s\n", subject != NULL ? subject : "-");
    }

  if (self->leaf != NULL)
    {
      g_autofree char *fingerprint = ze_certificate_dup_fingerprint_sha256 (self->leaf);

      g_string_append_printf (text, "Controller certificate SHA-256: %s\n", fingerprint);
    }

  g_string_append_printf (text, "Request sent: %s\n", self->sent ? "yes" : "no");

  if (self->identity != NULL && ze_identity_get_pending (self->identity))
    g_string_append_printf (text, "Pending identity kept in: %s\n",
                            ze_identity_get_location (self->identity) ?: "-");

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- for tests ---- */

void
_ze_enrollment_set_trust_required (ZeEnrollment  *self,
                                   ZeCertificate *leaf,
                                   GPtrArray     *cas)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));
  g_return_if_fail (ZE_IS_CERTIFICATE (leaf));
  g_return_if_fail (ZE_IS_TOKEN (self->token));

  drop_run (self);
  for (int step = ZE_ENROLL_STEP_CONNECT; step < ZE_ENROLL_STEP_TRUST; step++)
    self->step_states[step] = ZE_STEP_STATE_DONE;

  decide_without_run (self, leaf, cas);
}

void
_ze_enrollment_set_step_state (ZeEnrollment *self,
                               ZeEnrollStep  step,
                               ZeStepState   state,
                               gboolean      sent)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));

  set_state (self, ZE_ENROLLMENT_STATE_ENROLLING);
  set_sent (self, sent);
  record_step (self, step, state);
}

void
_ze_enrollment_set_done (ZeEnrollment *self,
                         ZeIdentity   *identity)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));
  g_return_if_fail (ZE_IS_IDENTITY (identity));

  g_set_object (&self->identity, identity);
  set_state (self, ZE_ENROLLMENT_STATE_DONE);
}

void
_ze_enrollment_set_failed (ZeEnrollment *self,
                           const GError *error,
                           gboolean      sent)
{
  g_return_if_fail (ZE_IS_ENROLLMENT (self));
  g_return_if_fail (error != NULL);

  set_sent (self, sent);
  fail (self, g_error_copy (error));
}
