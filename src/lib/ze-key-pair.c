/* ze-key-pair.c: the identity's private key and its certificate request
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ze-error.h"
#include "ze-gnutls-private.h"
#include "ze-key-pair.h"
#include "ze-key-pair-private.h"

/* The largest private key PEM accepted: an RSA-16384 key is about 13 KiB. */
#define KEY_PEM_MAX_SIZE (64 * 1024)

struct _ZeKeyPair
{
  GObject                parent_instance;

  gnutls_privkey_t       privkey;
  gnutls_x509_privkey_t  x509;        /* software keys made or read here; else NULL */
  GBytes                *public_key;  /* SubjectPublicKeyInfo DER, or NULL */
  char                  *uri;         /* PKCS #11 URI of a token-held key */
  ZeKeyType              key_type;
};

G_DEFINE_FINAL_TYPE (ZeKeyPair, ze_key_pair, G_TYPE_OBJECT)

static void
ze_key_pair_finalize (GObject *object)
{
  ZeKeyPair *self = (ZeKeyPair *)object;

  /* GnuTLS wipes the key parameters when it frees them. The abstract key
   * refers to the x509 one, so it goes first. */
  g_clear_pointer (&self->privkey, gnutls_privkey_deinit);
  g_clear_pointer (&self->x509, gnutls_x509_privkey_deinit);
  g_clear_pointer (&self->public_key, g_bytes_unref);
  g_clear_pointer (&self->uri, g_free);

  G_OBJECT_CLASS (ze_key_pair_parent_class)->finalize (object);
}

static void
ze_key_pair_class_init (ZeKeyPairClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ze_key_pair_finalize;
}

static void
ze_key_pair_init (ZeKeyPair *self)
{
  self->key_type = ZE_KEY_TYPE_EC_P256;
}

static GBytes *
export_public_key (gnutls_privkey_t privkey)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_datum_t der = { NULL, 0 };
  GBytes *bytes;

  if (gnutls_pubkey_init (&pubkey) < 0 ||
      gnutls_pubkey_import_privkey (pubkey, privkey, 0, 0) < 0 ||
      gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &der) < 0)
    return NULL;

  bytes = g_bytes_new (der.data, der.size);
  gnutls_free (der.data);

  return bytes;
}

/* Which ZeKeyType @public_key is. RSA keys count by size, rounded down to
 * one of ours; FALSE for anything else (other curves, EdDSA, RSA < 2048). */
static gboolean
classify_public_key (GBytes    *public_key,
                     ZeKeyType *key_type,
                     char     **description)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  gnutls_pk_algorithm_t pk;
  gnutls_datum_t datum;
  unsigned int bits = 0;
  gsize size;

  *description = NULL;

  if (public_key == NULL)
    return FALSE;

  datum.data = (unsigned char *)g_bytes_get_data (public_key, &size);
  datum.size = (unsigned int)size;

  if (gnutls_pubkey_init (&pubkey) < 0 ||
      gnutls_pubkey_import (pubkey, &datum, GNUTLS_X509_FMT_DER) < 0)
    return FALSE;

  pk = gnutls_pubkey_get_pk_algorithm (pubkey, &bits);

  if (pk == GNUTLS_PK_ECDSA)
    {
      if (gnutls_pubkey_export_ecc_raw (pubkey, &curve, NULL, NULL) < 0)
        return FALSE;

      if (curve == GNUTLS_ECC_CURVE_SECP256R1)
        *key_type = ZE_KEY_TYPE_EC_P256;
      else if (curve == GNUTLS_ECC_CURVE_SECP384R1)
        *key_type = ZE_KEY_TYPE_EC_P384;
      else
        {
          *description = g_strdup_printf ("EC %s", gnutls_ecc_curve_get_name (curve));
          return FALSE;
        }

      return TRUE;
    }

  if (pk == GNUTLS_PK_RSA && bits >= 2048)
    {
      if (bits >= 4096)
        *key_type = ZE_KEY_TYPE_RSA_4096;
      else if (bits >= 3072)
        *key_type = ZE_KEY_TYPE_RSA_3072;
      else
        *key_type = ZE_KEY_TYPE_RSA_2048;

      return TRUE;
    }

  if (pk == GNUTLS_PK_RSA)
    *description = g_strdup_printf ("RSA %u", bits);
  else
    *description = g_strdup (gnutls_pk_get_name (pk));

  return FALSE;
}

/* Takes ownership of @privkey and @x509 (which @privkey refers to, or NULL). */
static ZeKeyPair *
key_pair_new_take (gnutls_privkey_t       privkey,
                   gnutls_x509_privkey_t  x509,
                   const char            *uri)
{
  ZeKeyPair *self = g_object_new (ZE_TYPE_KEY_PAIR, NULL);
  g_autofree char *description = NULL;

  self->privkey = privkey;
  self->x509 = x509;
  self->uri = g_strdup (uri);
  self->public_key = export_public_key (privkey);

  if (!classify_public_key (self->public_key, &self->key_type, &description))
    self->key_type = ZE_KEY_TYPE_EC_P256;

  return self;
}

/* The GnuTLS algorithm and size of @key_type, shared with the PKCS#11 store. */
gboolean
_ze_key_type_get_parameters (ZeKeyType              key_type,
                             gnutls_pk_algorithm_t *pk,
                             unsigned int          *bits)
{
  switch (key_type)
    {
    case ZE_KEY_TYPE_EC_P256:
      *pk = GNUTLS_PK_ECDSA;
      *bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1);
      return TRUE;

    case ZE_KEY_TYPE_EC_P384:
      *pk = GNUTLS_PK_ECDSA;
      *bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP384R1);
      return TRUE;

    case ZE_KEY_TYPE_RSA_2048:
      *pk = GNUTLS_PK_RSA, *bits = 2048;
      return TRUE;

    case ZE_KEY_TYPE_RSA_3072:
      *pk = GNUTLS_PK_RSA, *bits = 3072;
      return TRUE;

    case ZE_KEY_TYPE_RSA_4096:
      *pk = GNUTLS_PK_RSA, *bits = 4096;
      return TRUE;

    default:
      return FALSE;
    }
}

/**
 * ze_key_pair_generate:
 * @key_type: the kind of key
 * @error: a location for a %ZE_ERROR_KEYGEN_FAILED error
 *
 * Makes a new key in memory. This blocks for up to seconds (RSA 4096):
 * call ze_key_pair_generate_async() from the main thread.
 *
 * Returns: (transfer full) (nullable): the key
 */
ZeKeyPair *
ze_key_pair_generate (ZeKeyType   key_type,
                      GError    **error)
{
  g_auto(gnutls_x509_privkey_t) x509 = NULL;
  g_auto(gnutls_privkey_t) privkey = NULL;
  gnutls_pk_algorithm_t pk;
  unsigned int bits;
  int rc;

  if (!_ze_key_type_get_parameters (key_type, &pk, &bits))
    g_return_val_if_reached (NULL);

  if ((rc = gnutls_x509_privkey_init (&x509)) < 0 ||
      (rc = gnutls_x509_privkey_generate2 (x509, pk, bits, 0, NULL, 0)) < 0 ||
      (rc = gnutls_privkey_init (&privkey)) < 0 ||
      (rc = gnutls_privkey_import_x509 (privkey, x509, 0)) < 0)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_KEYGEN_FAILED,
                   /* Translators: %s is a key type like "ec-p256", then a technical reason */
                   _("A new %s private key could not be made (%s). Try again; if it keeps "
                     "failing, choose another key type."),
                   ze_key_type_to_string (key_type), gnutls_strerror (rc));
      return NULL;
    }

  return key_pair_new_take (g_steal_pointer (&privkey), g_steal_pointer (&x509), NULL);
}

static void
ze_key_pair_generate_worker (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  ZeKeyType key_type = GPOINTER_TO_INT (task_data);
  GError *error = NULL;
  ZeKeyPair *key;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!(key = ze_key_pair_generate (key_type, &error)))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, g_object_unref);
}

/**
 * ze_key_pair_generate_async:
 * @key_type: the kind of key
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the key is ready
 * @user_data: data for @callback
 *
 * Makes a new key in a worker thread. Cancelling returns at once with
 * %G_IO_ERROR_CANCELLED; a key finished later is freed, never delivered.
 */
void
ze_key_pair_generate_async (ZeKeyType            key_type,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gnutls_pk_algorithm_t pk;
  unsigned int bits;

  g_return_if_fail (_ze_key_type_get_parameters (key_type, &pk, &bits));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ze_key_pair_generate_async);
  g_task_set_task_data (task, GINT_TO_POINTER (key_type), NULL);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, ze_key_pair_generate_worker);
}

/**
 * ze_key_pair_generate_finish:
 * @result: the #GAsyncResult given to the callback
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the key
 */
ZeKeyPair *
ze_key_pair_generate_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ze_key_pair_generate_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ze_key_pair_new_from_pem:
 * @pem: an unencrypted private key: PKCS #8 ("PRIVATE KEY"), PKCS #1
 *   ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY")
 * @len: the length of @pem
 * @error: a location for a %ZE_ERROR_INPUT_INVALID error
 *
 * Accepts EC P-256, EC P-384 and RSA keys of 2048 bits or more.
 *
 * Returns: (transfer full) (nullable): the key
 */
ZeKeyPair *
ze_key_pair_new_from_pem (const char  *pem,
                          gsize        len,
                          GError     **error)
{
  g_auto(gnutls_x509_privkey_t) x509 = NULL;
  g_auto(gnutls_privkey_t) privkey = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autofree char *description = NULL;
  gnutls_datum_t datum;
  ZeKeyType key_type;
  int rc = GNUTLS_E_BASE64_DECODING_ERROR;

  g_return_val_if_fail (pem != NULL || len == 0, NULL);

  datum.data = (unsigned char *)pem;
  datum.size = (unsigned int)len;

  if (len == 0 || len > KEY_PEM_MAX_SIZE ||
      g_strstr_len (pem, len, "-----BEGIN") == NULL ||
      (rc = gnutls_x509_privkey_init (&x509)) < 0 ||
      (rc = gnutls_x509_privkey_import2 (x509, &datum, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0 ||
      (rc = gnutls_x509_privkey_verify_params (x509)) < 0 ||   /* damaged: parts disagree */
      (rc = gnutls_privkey_init (&privkey)) < 0 ||
      (rc = gnutls_privkey_import_x509 (privkey, x509, 0)) < 0)
    {
      if (rc == GNUTLS_E_DECRYPTION_FAILED || g_strstr_len (pem, len, "ENCRYPTED") != NULL)
        g_set_error_literal (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                             _("This private key is protected by a password, which Ziti Enroll "
                               "cannot use. Remove the password (for example with “openssl pkey”) "
                               "and choose the file again."));
      else
        g_set_error_literal (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                             _("This is not a private key Ziti Enroll can read. Choose a PEM file "
                               "that holds an unencrypted private key (“BEGIN PRIVATE KEY”, "
                               "“BEGIN EC PRIVATE KEY” or “BEGIN RSA PRIVATE KEY”)."));
      return NULL;
    }

  public_key = export_public_key (privkey);

  if (!classify_public_key (public_key, &key_type, &description))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                   /* Translators: %s is a key kind like "RSA 1024" or "EC SECP521R1" */
                   _("This private key is of a kind Ziti Enroll does not use (%s). Choose an "
                     "EC P-256, EC P-384 or RSA key of at least 2048 bits."),
                   description != NULL ? description : "?");
      return NULL;
    }

  return key_pair_new_take (g_steal_pointer (&privkey), g_steal_pointer (&x509), NULL);
}

/**
 * ze_key_pair_new_for_privkey:
 * @privkey: (transfer full): a private key made elsewhere, e.g. on a
 *   PKCS #11 token
 * @uri: (nullable): the key's PKCS #11 URI
 *
 * Returns: (transfer full): a key pair that owns @privkey
 */
ZeKeyPair *
ze_key_pair_new_for_privkey (gnutls_privkey_t  privkey,
                             const char       *uri)
{
  g_return_val_if_fail (privkey != NULL, NULL);

  return key_pair_new_take (privkey, NULL, uri);
}

/**
 * ze_key_pair_get_key_type:
 * @self: a #ZeKeyPair
 *
 * Returns: the kind of key
 */
ZeKeyType
ze_key_pair_get_key_type (ZeKeyPair *self)
{
  g_return_val_if_fail (ZE_IS_KEY_PAIR (self), ZE_KEY_TYPE_EC_P256);

  return self->key_type;
}

/**
 * ze_key_pair_get_uri:
 * @self: a #ZeKeyPair
 *
 * Returns: (nullable): the PKCS #11 URI of a token-held key
 */
const char *
ze_key_pair_get_uri (ZeKeyPair *self)
{
  g_return_val_if_fail (ZE_IS_KEY_PAIR (self), NULL);

  return self->uri;
}

/**
 * ze_key_pair_export_pkcs8_pem:
 * @self: a #ZeKeyPair
 * @error: a location for a #GError
 *
 * Writes the key as unencrypted PKCS #8 (PEM type “PRIVATE KEY”).
 * The result is key material: wipe it (gnutls_memset()) before freeing it.
 * A key held by a hardware token cannot be exported.
 *
 * Returns: (transfer full) (nullable): the PEM text
 */
char *
ze_key_pair_export_pkcs8_pem (ZeKeyPair  *self,
                              GError    **error)
{
  g_auto(gnutls_x509_privkey_t) exported = NULL;
  g_auto(gnutls_datum_t) pem = { NULL, 0 };
  gnutls_x509_privkey_t x509;
  char *ret;
  int rc;

  g_return_val_if_fail (ZE_IS_KEY_PAIR (self), NULL);

  x509 = self->x509;

  if (x509 == NULL && gnutls_privkey_get_type (self->privkey) == GNUTLS_PRIVKEY_X509 &&
      gnutls_privkey_export_x509 (self->privkey, &exported) >= 0)
    x509 = exported;

  if (x509 == NULL)
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                           _("This private key is kept on a security token and cannot be "
                             "copied out of it. Keep the token; the identity uses the key "
                             "where it is."));
      return NULL;
    }

  if ((rc = gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL,
                                               GNUTLS_PKCS_PLAIN, &pem)) < 0)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                   _("The private key could not be written out (%s). Try again; if it keeps "
                     "failing, report a bug."),
                   gnutls_strerror (rc));
      return NULL;
    }

  ret = g_malloc (pem.size + 1);
  memcpy (ret, pem.data, pem.size);
  ret[pem.size] = '\0';

  return ret;
}

/**
 * ze_key_pair_get_public_key_der:
 * @self: a #ZeKeyPair
 *
 * Returns: (transfer full) (nullable): the SubjectPublicKeyInfo in DER
 *   (unref it), or %NULL if a token does not reveal it
 */
GBytes *
ze_key_pair_get_public_key_der (ZeKeyPair *self)
{
  g_return_val_if_fail (ZE_IS_KEY_PAIR (self), NULL);

  return self->public_key != NULL ? g_bytes_ref (self->public_key) : NULL;
}

static gboolean
is_printable_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p < 0x20 || *p > 0x7e)
        return FALSE;
    }

  return TRUE;
}

static char *
encode_pem (const char    *label,
            const guint8  *der,
            gsize          len)
{
  g_autofree char *b64 = g_base64_encode (der, len);
  gsize b64_len = strlen (b64);
  GString *out = g_string_sized_new (b64_len + b64_len / 64 + 80);

  g_string_append_printf (out, "-----BEGIN %s-----\n", label);
  for (gsize i = 0; i < b64_len; i += 64)
    {
      g_string_append_len (out, b64 + i, MIN (64, b64_len - i));
      g_string_append_c (out, '\n');
    }
  g_string_append_printf (out, "-----END %s-----\n", label);

  return g_string_free (out, FALSE);
}

/**
 * ze_key_pair_create_csr:
 * @self: a #ZeKeyPair
 * @controller: the token's `iss`, e.g. "https://ctrl.example.com:1280"
 * @common_name: the subject's CN, usually the token's `sub`
 * @error: a location for a #GError
 *
 * Makes a PKCS #10 request as the OpenZiti C SDK does: subject
 * O=OpenZiti, DC=@controller, CN=@common_name (in that order), no
 * extensions, signed with SHA-256. Works for token-held keys too.
 *
 * Returns: (transfer full) (nullable): one "CERTIFICATE REQUEST" PEM block
 *   followed by exactly one "\n"
 */
char *
ze_key_pair_create_csr (ZeKeyPair   *self,
                        const char  *controller,
                        const char  *common_name,
                        GError     **error)
{
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_datum_t der = { NULL, 0 };
  char *pem;
  int rc;

  g_return_val_if_fail (ZE_IS_KEY_PAIR (self), NULL);
  g_return_val_if_fail (controller != NULL, NULL);
  g_return_val_if_fail (common_name != NULL, NULL);

  /* DC is an IA5String: plain ASCII. */
  if (*controller == '\0' || !is_printable_ascii (controller))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                   _("The controller address “%s” cannot go into a certificate request: it "
                     "must be plain ASCII text. Ask your administrator for a new token."),
                   controller);
      return NULL;
    }

  if (*common_name == '\0' || !g_utf8_validate (common_name, -1, NULL))
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                           _("The identity name cannot go into a certificate request: it is "
                             "empty or not valid text. Ask your administrator for a new "
                             "token."));
      return NULL;
    }

  if ((rc = gnutls_x509_crq_init (&crq)) < 0 ||
      (rc = gnutls_x509_crq_set_version (crq, 1)) < 0 ||
      (rc = gnutls_x509_crq_set_dn_by_oid (crq, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                           "OpenZiti", strlen ("OpenZiti"))) < 0 ||
      (rc = gnutls_x509_crq_set_dn_by_oid (crq, GNUTLS_OID_LDAP_DC, 0,
                                           controller, strlen (controller))) < 0 ||
      (rc = gnutls_x509_crq_set_dn_by_oid (crq, GNUTLS_OID_X520_COMMON_NAME, 0,
                                           common_name, strlen (common_name))) < 0 ||
      (rc = gnutls_pubkey_init (&pubkey)) < 0 ||
      (rc = gnutls_pubkey_import_privkey (pubkey, self->privkey, 0, 0)) < 0 ||
      (rc = gnutls_x509_crq_set_pubkey (crq, pubkey)) < 0)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_KEYGEN_FAILED,
                   _("The certificate request could not be made (%s). Try again; if it keeps "
                     "failing, choose another key type or report a bug."),
                   gnutls_strerror (rc));
      return NULL;
    }

  if ((rc = gnutls_x509_crq_privkey_sign (crq, self->privkey, GNUTLS_DIG_SHA256, 0)) < 0 ||
      (rc = gnutls_x509_crq_verify (crq, 0)) < 0)
    {
      g_set_error (error, ZE_ERROR,
                   self->uri != NULL ? ZE_ERROR_PKCS11_FAILED : ZE_ERROR_KEYGEN_FAILED,
                   _("The certificate request could not be signed with the private key (%s). "
                     "If the key is on a security token, check that the token is plugged in "
                     "and unlocked, then try again."),
                   gnutls_strerror (rc));
      return NULL;
    }

  if ((rc = gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_DER, &der)) < 0)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_KEYGEN_FAILED,
                   _("The certificate request could not be written out (%s). Try again; if it "
                     "keeps failing, report a bug."),
                   gnutls_strerror (rc));
      return NULL;
    }

  /* Not gnutls_x509_crq_export2 (PEM): that says "NEW CERTIFICATE REQUEST". */
  pem = encode_pem ("CERTIFICATE REQUEST", der.data, der.size);
  gnutls_free (der.data);

  return pem;
}

/**
 * ze_key_type_to_string:
 * @key_type: a #ZeKeyType
 *
 * Returns: "ec-p256", "ec-p384", "rsa-2048", "rsa-3072" or "rsa-4096"
 */
const char *
ze_key_type_to_string (ZeKeyType key_type)
{
  switch (key_type)
    {
    case ZE_KEY_TYPE_EC_P256:  return "ec-p256";
    case ZE_KEY_TYPE_EC_P384:  return "ec-p384";
    case ZE_KEY_TYPE_RSA_2048: return "rsa-2048";
    case ZE_KEY_TYPE_RSA_3072: return "rsa-3072";
    case ZE_KEY_TYPE_RSA_4096: return "rsa-4096";
    default:                   return "unknown";
    }
}

/**
 * ze_key_type_from_string:
 * @text: a name from ze_key_type_to_string(), in any case
 * @key_type: (out) (optional): the key type
 *
 * Returns: %TRUE if @text names a key type
 */
gboolean
ze_key_type_from_string (const char *text,
                         ZeKeyType  *key_type)
{
  static const ZeKeyType all[] = {
    ZE_KEY_TYPE_EC_P256,
    ZE_KEY_TYPE_EC_P384,
    ZE_KEY_TYPE_RSA_2048,
    ZE_KEY_TYPE_RSA_3072,
    ZE_KEY_TYPE_RSA_4096,
  };

  g_return_val_if_fail (text != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      if (g_ascii_strcasecmp (text, ze_key_type_to_string (all[i])) == 0)
        {
          if (key_type != NULL)
            *key_type = all[i];
          return TRUE;
        }
    }

  return FALSE;
}
