/* ze-pkcs11-store.c
 *
 * The key is generated on a PKCS #11 token (GnuTLS and p11-kit): private,
 * sensitive and not extractable, so it never leaves the token. The identity
 * record (ze_identity_to_record_json()) goes into DIRECTORY/NAME.json, mode
 * 0600. It is a standard identity file whose `id.key` is the key's URI in the
 * form the OpenZiti C SDK (ziti-edge-tunnel) loads (protocol.md §8.1):
 *
 *   pkcs11:///usr/lib/softhsm/libsofthsm2.so?slot=0x1a9c1274&id=3f0c…
 *
 * This is how ziti-sdk-c (library/utils.c, parse_pkcs11_uri()) and tlsuv
 * (src/url.c, src/p11.c) read it:
 *  - the module is the URL path, taken verbatim (no percent-decoding), so it
 *    must be absolute ("pkcs11://" + "/usr/lib/…") and must not contain
 *    '?', '&', '#', '@' or '%';
 *  - the query is split at '&' and matched by the prefixes "slot=", "pin=",
 *    "id=" and "label=";
 *  - slot is the CK_SLOT_ID, read with strtoul (…, 16): it is hexadecimal.
 *    It is written with "0x", which strtoul skips and which makes the Go
 *    SDK's strconv.ParseInt (…, 0, …) read the same number;
 *  - id is CKA_ID as pairs of hex digits (sscanf "%2hhx", at most 32 bytes);
 *    the private key and the public key object are both looked up by it.
 * The PIN is never written into the record. tlsuv passes the pin= value to
 * C_Login, so whoever runs ziti-edge-tunnel with this file has to supply it.
 *
 * Order, as in ze-secret-store.c: generate_key (checks that the name is
 * free first), begin (the record, written exclusively and marked pending; if
 * that fails, the key this store generated is deleted again), complete (the
 * record, with its certificate, replaces the pending one), abort (the key
 * objects are deleted from the token, then the record). One store serves one
 * enrollment at a time.
 *
 * All PKCS #11 work runs in worker threads. The PIN reaches GnuTLS as the
 * RFC 7512 "pin-value" of URLs built here and wiped after use; it never
 * reaches a log.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs11.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "ze-error.h"
#include "ze-file-util-private.h"
#include "ze-gnutls-private.h"
#include "ze-identity-library-private.h"
#include "ze-key-pair-private.h"
#include "ze-pkcs11-store.h"

/* CKA_ID of a new key: random; tlsuv accepts up to 32 bytes. */
#define KEY_ID_SIZE 16
#define KEY_ID_MAX_SIZE 32

/* A string that may hold the PIN: wiped before it is freed. */
typedef char *ZeWipedString;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (ZeWipedString, _ze_wipe_and_free, NULL)

struct _ZePkcs11Store
{
  GObject     parent_instance;

  char       *directory;
  char       *module_path;
  char       *token_label;
  char       *pin;              /* wiped on finalize */

  char       *record_path;
  char       *object_url;       /* RFC 7512, no PIN: the objects of the key generated here */
  guint       created_record : 1;
  guint       generated_key : 1;
};

static void identity_store_iface_init (ZeIdentityStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZePkcs11Store, ze_pkcs11_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZE_TYPE_IDENTITY_STORE,
                                                      identity_store_iface_init))

/* The modules added to GnuTLS, which loads each only on request
 * (GNUTLS_PKCS11_FLAG_MANUAL) and keeps it until the process ends. */
G_LOCK_DEFINE_STATIC (providers);
static GHashTable *providers;

static void
ze_pkcs11_store_finalize (GObject *object)
{
  ZePkcs11Store *self = (ZePkcs11Store *)object;

  g_clear_pointer (&self->pin, _ze_wipe_and_free);
  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->module_path, g_free);
  g_clear_pointer (&self->token_label, g_free);
  g_clear_pointer (&self->record_path, g_free);
  g_clear_pointer (&self->object_url, g_free);

  G_OBJECT_CLASS (ze_pkcs11_store_parent_class)->finalize (object);
}

static void
ze_pkcs11_store_class_init (ZePkcs11StoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ze_pkcs11_store_finalize;
}

static void
ze_pkcs11_store_init (ZePkcs11Store *self)
{
}

/* Characters that the C SDK's URL parser would take for syntax. */
static gboolean
module_path_is_usable (const char *path)
{
  for (const char *p = path; *p != '\0'; p++)
    {
      if (strchr ("?&#@%", *p) != NULL || g_ascii_iscntrl (*p))
        return FALSE;
    }

  return TRUE;
}

/**
 * ze_pkcs11_store_new:
 * @directory: where the identity records go
 * @module_path: the absolute path of the token's PKCS #11 module, e.g.
 *   /usr/lib/softhsm/libsofthsm2.so
 * @token_label: the label of the token to generate keys on
 * @pin: the token's user PIN; copied, and wiped when the store is freed
 * @error: a location for a %ZE_ERROR_PKCS11_FAILED error
 *
 * Checks the arguments only; the module is loaded, and the token and the PIN
 * are checked, when a key is generated.
 *
 * Returns: (transfer full) (nullable): the store
 */
ZePkcs11Store *
ze_pkcs11_store_new (const char  *directory,
                     const char  *module_path,
                     const char  *token_label,
                     const char  *pin,
                     GError     **error)
{
  ZePkcs11Store *self;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (module_path != NULL, NULL);
  g_return_val_if_fail (token_label != NULL, NULL);
  g_return_val_if_fail (pin != NULL, NULL);

  if (!g_path_is_absolute (module_path) || !module_path_is_usable (module_path))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                   _("The PKCS #11 module “%s” cannot be used: give its full path (for "
                     "example /usr/lib/softhsm/libsofthsm2.so), without the characters "
                     "?, &, #, @ or %%, because ziti-edge-tunnel finds the module by that "
                     "path in the identity file."),
                   module_path);
      return NULL;
    }

  if (!g_file_test (module_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                   _("There is no PKCS #11 module at “%s”. Install the software for your "
                     "security token, or give the path of its module."),
                   module_path);
      return NULL;
    }

  if (*token_label == '\0')
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                           _("No security token was named. Give the label of the token to "
                             "keep the key on."));
      return NULL;
    }

  self = g_object_new (ZE_TYPE_PKCS11_STORE, NULL);
  self->directory = g_strdup (directory);
  self->module_path = g_strdup (module_path);
  self->token_label = g_strdup (token_label);
  self->pin = g_strdup (pin);

  return self;
}

/**
 * ze_pkcs11_store_get_module_path:
 * @self: a #ZePkcs11Store
 *
 * Returns: the path of the PKCS #11 module
 */
const char *
ze_pkcs11_store_get_module_path (ZePkcs11Store *self)
{
  g_return_val_if_fail (ZE_IS_PKCS11_STORE (self), NULL);

  return self->module_path;
}

/**
 * ze_pkcs11_store_get_token_label:
 * @self: a #ZePkcs11Store
 *
 * Returns: the label of the token the keys are made on
 */
const char *
ze_pkcs11_store_get_token_label (ZePkcs11Store *self)
{
  g_return_val_if_fail (ZE_IS_PKCS11_STORE (self), NULL);

  return self->token_label;
}

static const char *
ze_pkcs11_store_get_kind (ZeIdentityStore *store)
{
  return "pkcs11";
}

/* ---- key URIs ---- */

static char *
hex_encode (const guint8 *data,
            gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[len * 2] = '\0';

  return out;
}

/* The key reference the C SDK loads; never with the PIN. */
static char *
make_sdk_uri (const char *module_path,
              CK_SLOT_ID  slot,
              GBytes     *id)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (id, &len);
  g_autofree char *hex = hex_encode (data, len);

  return g_strdup_printf ("pkcs11://%s?slot=0x%lx&id=%s", module_path, (gulong)slot, hex);
}

/**
 * ze_pkcs11_key_uri_parse:
 * @uri: a key reference as written by #ZePkcs11Store:
 *   `pkcs11://MODULE?slot=0xSLOT&id=HEX`
 * @module_path: (out) (optional): the module's path
 * @slot_id: (out) (optional): the PKCS #11 slot id
 * @id: (out) (optional): the key's CKA_ID
 * @error: a location for a %ZE_ERROR_INPUT_INVALID error
 *
 * Reads the URI as the OpenZiti C SDK does (the slot in hexadecimal, the id
 * as hex digit pairs). Other parameters (pin, label) are ignored.
 *
 * Returns: %TRUE if @uri names a module, a slot and an id
 */
gboolean
ze_pkcs11_key_uri_parse (const char  *uri,
                         char       **module_path,
                         gulong      *slot_id,
                         GBytes     **id,
                         GError     **error)
{
  g_auto(GStrv) params = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  const char *rest, *query, *slot = NULL, *hex = NULL;
  gulong slot_value = 0;
  char *end = NULL;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (!g_str_has_prefix (uri, "pkcs11://"))
    goto bad;

  rest = uri + strlen ("pkcs11://");
  if (*rest != '/' || (query = strchr (rest, '?')) == NULL || query == rest + 1)
    goto bad;

  path = g_strndup (rest, query - rest);
  params = g_strsplit (query + 1, "&", -1);
  for (guint i = 0; params[i] != NULL; i++)
    {
      if (slot == NULL && g_str_has_prefix (params[i], "slot="))
        slot = params[i] + strlen ("slot=");
      else if (hex == NULL && g_str_has_prefix (params[i], "id="))
        hex = params[i] + strlen ("id=");
    }

  if (slot == NULL || *slot == '\0' || hex == NULL || *hex == '\0')
    goto bad;

  errno = 0;
  slot_value = strtoul (slot, &end, 16);
  if (errno != 0 || end == slot || *end != '\0')
    goto bad;

  if (strlen (hex) % 2 != 0 || strlen (hex) / 2 > KEY_ID_MAX_SIZE)
    goto bad;

  bytes = g_byte_array_new ();
  for (const char *p = hex; *p != '\0'; p += 2)
    {
      int hi = g_ascii_xdigit_value (p[0]);
      int lo = g_ascii_xdigit_value (p[1]);
      guint8 b;

      if (hi < 0 || lo < 0)
        goto bad;
      b = (guint8)(hi << 4 | lo);
      g_byte_array_append (bytes, &b, 1);
    }

  if (module_path != NULL)
    *module_path = g_steal_pointer (&path);
  if (slot_id != NULL)
    *slot_id = slot_value;
  if (id != NULL)
    *id = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));

  return TRUE;

bad:
  g_set_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
               _("“%s” is not a reference to a key on a security token that Ziti Enroll "
                 "understands. It should look like "
                 "pkcs11:///path/to/module.so?slot=0x…&id=…"),
               uri);
  return FALSE;
}

/* ---- GnuTLS and p11-kit ---- */

/* gnutls_strerror () without its full stop, to go in parentheses. */
static char *
gnutls_reason (int rc)
{
  char *text = g_strdup (gnutls_strerror (rc));
  gsize len = strlen (text);

  if (len > 0 && text[len - 1] == '.')
    text[len - 1] = '\0';

  return text;
}

/* Loads @module_path into GnuTLS, once per process. */
static gboolean
ensure_provider (const char  *module_path,
                 GError     **error)
{
  int rc = 0;

  G_LOCK (providers);

  if (providers == NULL)
    {
      /* Only the modules asked for, not every module registered with p11-kit. */
      rc = gnutls_pkcs11_init (GNUTLS_PKCS11_FLAG_MANUAL, NULL);
      if (rc >= 0)
        providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }

  if (rc >= 0 && !g_hash_table_contains (providers, module_path))
    {
      rc = gnutls_pkcs11_add_provider (module_path, NULL);
      if (rc >= 0)
        g_hash_table_add (providers, g_strdup (module_path));
    }

  G_UNLOCK (providers);

  if (rc < 0)
    {
      g_autofree char *reason = gnutls_reason (rc);

      g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                   _("The PKCS #11 module “%s” could not be loaded (%s). Check that it is the "
                     "module of your security token and that it is installed for this "
                     "computer, then try again."),
                   module_path, reason);
      return FALSE;
    }

  return TRUE;
}

/* A token label is padded with spaces to 32 bytes. */
static char *
token_label_to_string (const CK_TOKEN_INFO *info)
{
  gsize len = sizeof info->label;

  while (len > 0 && (info->label[len - 1] == ' ' || info->label[len - 1] == '\0'))
    len--;

  return g_utf8_make_valid ((const char *)info->label, len);
}

static GError *
login_error (const char *token_label,
             CK_RV       rv)
{
  switch (rv)
    {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
      return g_error_new (ZE_ERROR, ZE_ERROR_PKCS11_PIN,
                          _("The PIN was not accepted by the security token “%s”. Check the PIN "
                            "and try again; after too many wrong PINs the token may lock "
                            "itself."),
                          token_label);

    case CKR_PIN_LOCKED:
      return g_error_new (ZE_ERROR, ZE_ERROR_PKCS11_PIN,
                          _("The security token “%s” is locked after too many wrong PINs. "
                            "Unlock it with its security officer PIN or its own tool, then try "
                            "again."),
                          token_label);

    case CKR_PIN_EXPIRED:
      return g_error_new (ZE_ERROR, ZE_ERROR_PKCS11_PIN,
                          _("The PIN of the security token “%s” has expired. Set a new PIN "
                            "with the token’s own tool, then try again."),
                          token_label);

    case CKR_USER_PIN_NOT_INITIALIZED:
      return g_error_new (ZE_ERROR, ZE_ERROR_PKCS11_PIN,
                          _("The security token “%s” has no user PIN yet. Set one with the "
                            "token’s own tool, then try again."),
                          token_label);

    default:
      return g_error_new (ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                          _("Could not log in to the security token “%s” (%s). Check that it "
                            "is plugged in, then try again."),
                          token_label, p11_kit_strerror (rv));
    }
}

/* Finds the token labelled self->token_label in the module, through
 * p11-kit's own instance of it (GnuTLS does not tell slot ids), and checks
 * the PIN with C_Login. */
static gboolean
open_token (ZePkcs11Store  *self,
            CK_SLOT_ID     *slot,
            CK_TOKEN_INFO  *token,
            GError        **error)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autofree CK_SLOT_ID *slots = NULL;
  CK_FUNCTION_LIST *module;
  CK_SESSION_HANDLE session;
  CK_ULONG n_slots = 0;
  gboolean found = FALSE;
  CK_RV rv;

  module = p11_kit_module_load (self->module_path, 0);
  if (module == NULL)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                   _("The PKCS #11 module “%s” could not be loaded (%s). Check that it is the "
                     "module of your security token and that it is installed for this "
                     "computer, then try again."),
                   self->module_path, p11_kit_message () != NULL ? p11_kit_message () : "?");
      return FALSE;
    }

  rv = p11_kit_module_initialize (module);
  if (rv != CKR_OK)
    {
      p11_kit_module_release (module);
      g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                   _("The PKCS #11 module “%s” could not start (%s). Check that the software "
                     "of your security token is set up, then try again."),
                   self->module_path, p11_kit_strerror (rv));
      return FALSE;
    }

  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_clear_pointer (&slots, g_free);
      rv = module->C_GetSlotList (CK_TRUE, NULL, &n_slots);
      if (rv != CKR_OK || n_slots == 0)
        break;
      slots = g_new0 (CK_SLOT_ID, n_slots);
      rv = module->C_GetSlotList (CK_TRUE, slots, &n_slots);
      if (rv != CKR_BUFFER_TOO_SMALL)
        break;
    }

  for (CK_ULONG i = 0; rv == CKR_OK && slots != NULL && i < n_slots; i++)
    {
      CK_TOKEN_INFO info;
      char *label;

      if (module->C_GetTokenInfo (slots[i], &info) != CKR_OK ||
          !(info.flags & CKF_TOKEN_INITIALIZED))
        continue;

      label = token_label_to_string (&info);
      if (!found && g_strcmp0 (label, self->token_label) == 0)
        {
          found = TRUE;
          *slot = slots[i];
          *token = info;
        }
      g_ptr_array_add (labels, label);
    }

  if (found)
    {
      rv = module->C_OpenSession (*slot, CKF_SERIAL_SESSION, NULL, NULL, &session);
      if (rv == CKR_OK)
        {
          rv = module->C_Login (session, CKU_USER, (CK_UTF8CHAR_PTR)self->pin, strlen (self->pin));
          if (rv == CKR_USER_ALREADY_LOGGED_IN)
            rv = CKR_OK;
          /* No C_Logout: the login state is shared with GnuTLS's sessions. */
          module->C_CloseSession (session);
        }
    }

  p11_kit_module_finalize (module);
  p11_kit_module_release (module);

  if (found && rv != CKR_OK)
    {
      g_propagate_error (error, login_error (self->token_label, rv));
      return FALSE;
    }

  if (found)
    return TRUE;

  if (labels->len == 0)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                   _("The PKCS #11 module “%s” shows no security token. Plug in your token "
                     "(or initialize one), then try again."),
                   self->module_path);
    }
  else
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < labels->len; i++)
        {
          if (i > 0)
            g_string_append (names, ", ");
          g_string_append_printf (names, "“%s”", (const char *)g_ptr_array_index (labels, i));
        }

      g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                   /* Translators: the last %s is a list of token names */
                   _("There is no security token named “%s” in the PKCS #11 module “%s”. The "
                     "tokens there are: %s. Give one of these names, or plug in the right "
                     "token."),
                   self->token_label, self->module_path, names->str);
    }

  return FALSE;
}

/* An RFC 7512 URL of @token, or of the objects with CKA_ID @id on it (only
 * the private key with @private_key). */
static char *
format_url (const CK_TOKEN_INFO *token,
            GBytes              *id,
            gboolean             private_key)
{
  P11KitUri *uri = p11_kit_uri_new ();
  CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
  char *text = NULL;
  char *ret;

  memcpy (p11_kit_uri_get_token_info (uri), token, sizeof *token);

  if (id != NULL)
    {
      gsize len;
      CK_ATTRIBUTE attr = { CKA_ID, (void *)g_bytes_get_data (id, &len), 0 };

      attr.ulValueLen = len;
      p11_kit_uri_set_attribute (uri, &attr);
    }

  if (private_key)
    {
      CK_ATTRIBUTE attr = { CKA_CLASS, &klass, sizeof klass };

      p11_kit_uri_set_attribute (uri, &attr);
    }

  if (p11_kit_uri_format (uri, id != NULL ? P11_KIT_URI_FOR_OBJECT_ON_TOKEN : P11_KIT_URI_FOR_TOKEN,
                          &text) != P11_KIT_URI_OK)
    text = NULL;
  p11_kit_uri_free (uri);

  ret = g_strdup (text);
  free (text);

  return ret;
}

/* @url with the PIN as its "pin-value" query attribute, percent-encoded.
 * Only for GnuTLS; wipe it after use. */
static char *
url_with_pin (const char *url,
              const char *pin)
{
  static const char digits[] = "0123456789ABCDEF";
  gsize size = strlen (url) + strlen ("?pin-value=") + 3 * strlen (pin) + 1;
  char *out = g_malloc (size);
  char *p = g_stpcpy (g_stpcpy (out, url), "?pin-value=");

  for (const guchar *c = (const guchar *)pin; *c != '\0'; c++)
    {
      if (g_ascii_isalnum (*c) || *c == '-' || *c == '.' || *c == '_' || *c == '~')
        *p++ = (char)*c;
      else
        {
          *p++ = '%';
          *p++ = digits[*c >> 4];
          *p++ = digits[*c & 0xf];
        }
    }
  *p = '\0';

  return out;
}

static gboolean
is_pin_error (int rc)
{
  return rc == GNUTLS_E_PKCS11_PIN_ERROR ||
         rc == GNUTLS_E_PKCS11_PIN_EXPIRED ||
         rc == GNUTLS_E_PKCS11_PIN_LOCKED;
}

static void
set_pin_error (GError     **error,
               const char  *token_label,
               int          rc)
{
  g_autofree char *reason = gnutls_reason (rc);

  g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_PIN,
               _("The PIN was not accepted by the security token “%s” (%s). Check the PIN and "
                 "try again; after too many wrong PINs the token may lock itself."),
               token_label, reason);
}

/* Deletes the objects (private and public key) of the key generated here.
 * The token is looked up first: GnuTLS says the same thing for "no such
 * object" and "no such token". */
static gboolean
delete_generated_key (ZePkcs11Store  *self,
                      const char     *name,
                      GError        **error)
{
  g_auto(ZeWipedString) url = NULL;
  CK_TOKEN_INFO token;
  CK_SLOT_ID slot;
  int rc;

  if (!self->generated_key)
    return TRUE;

  if (!ensure_provider (self->module_path, error) ||
      !open_token (self, &slot, &token, error))
    return FALSE;

  url = url_with_pin (self->object_url, self->pin);
  rc = gnutls_pkcs11_delete_url (url, GNUTLS_PKCS11_OBJ_FLAG_LOGIN);

  if (rc < 0 && rc != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
    {
      g_autofree char *reason = gnutls_reason (rc);

      if (is_pin_error (rc))
        set_pin_error (error, self->token_label, rc);
      else
        g_set_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                     _("The key “%s” could not be deleted from the security token “%s” (%s). "
                       "Check that the token is plugged in, then try again."),
                     name, self->token_label, reason);
      return FALSE;
    }

  self->generated_key = FALSE;
  g_clear_pointer (&self->object_url, g_free);

  return TRUE;
}

/* ---- generate_key: on the token, then imported by URL ---- */

typedef struct
{
  char      *name;
  ZeKeyType  key_type;
} Generate;

static void
generate_free (Generate *generate)
{
  g_free (generate->name);
  g_free (generate);
}

static gboolean
check_name_free (ZePkcs11Store  *self,
                 const char     *name,
                 GError        **error)
{
  g_autofree char *file = g_strconcat (name, ".json", NULL);
  g_autofree char *path = g_build_filename (self->directory, file, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS,
                   _("There is already an identity named “%s”. Choose another name, or "
                     "remove the old identity first."),
                   name);
      return FALSE;
    }

  return TRUE;
}

/* Best effort: after a failure, the key made by this run goes again. */
static void
drop_generated_key (ZePkcs11Store *self,
                    const char    *name)
{
  g_autoptr(GError) error = NULL;

  if (!delete_generated_key (self, name, &error))
    g_message ("The key “%s” made on the token “%s” could not be deleted: %s",
               name, self->token_label, error->message);
}

static void
generate_key_worker (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  ZePkcs11Store *self = source_object;
  Generate *generate = task_data;
  g_auto(ZeWipedString) token_url_pin = NULL;
  g_auto(ZeWipedString) key_url_pin = NULL;
  g_auto(gnutls_privkey_t) privkey = NULL;
  g_auto(gnutls_datum_t) public_der = { NULL, 0 };
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_url = NULL;
  g_autofree char *object_url = NULL;
  g_autofree char *key_url = NULL;
  g_autofree char *sdk_uri = NULL;
  guint8 id_bytes[KEY_ID_SIZE];
  gnutls_datum_t cid = { id_bytes, sizeof id_bytes };
  gnutls_pk_algorithm_t pk = GNUTLS_PK_UNKNOWN;
  unsigned int bits = 0;
  CK_TOKEN_INFO token;
  CK_SLOT_ID slot = 0;
  int rc;

  if (g_task_return_error_if_cancelled (task))
    return;

  _ze_key_type_get_parameters (generate->key_type, &pk, &bits);

  if (!check_name_free (self, generate->name, &error) ||
      !ensure_provider (self->module_path, &error) ||
      !open_token (self, &slot, &token, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A key from an earlier attempt that never got a record. */
  drop_generated_key (self, generate->name);

  if ((rc = gnutls_rnd (GNUTLS_RND_RANDOM, id_bytes, sizeof id_bytes)) < 0)
    {
      g_autofree char *reason = gnutls_reason (rc);

      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_KEYGEN_FAILED,
                               _("No random numbers were available for the key (%s). Try "
                                 "again; if it keeps failing, report a bug."),
                               reason);
      return;
    }

  id = g_bytes_new (id_bytes, sizeof id_bytes);
  token_url = format_url (&token, NULL, FALSE);
  object_url = format_url (&token, id, FALSE);
  key_url = format_url (&token, id, TRUE);
  if (token_url == NULL || object_url == NULL || key_url == NULL)
    {
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                               _("The security token “%s” could not be addressed. Try again; if "
                                 "it keeps failing, report a bug."),
                               self->token_label);
      return;
    }

  token_url_pin = url_with_pin (token_url, self->pin);
  rc = gnutls_pkcs11_privkey_generate3 (token_url_pin, pk, bits, generate->name, &cid,
                                        GNUTLS_X509_FMT_DER, &public_der,
                                        GNUTLS_KEY_DIGITAL_SIGNATURE,
                                        GNUTLS_PKCS11_OBJ_FLAG_LOGIN |
                                        GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE |
                                        GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE);
  if (rc < 0)
    {
      g_autofree char *reason = gnutls_reason (rc);

      if (is_pin_error (rc))
        set_pin_error (&error, self->token_label, rc);
      else
        g_set_error (&error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                     /* Translators: %s are a key type like "ec-p256", a token name and a reason */
                     _("The security token could not make a %s key on “%s” (%s). Choose another "
                       "key type (EC P-256 works on most tokens) and check that the token has "
                       "room, then try again."),
                     ze_key_type_to_string (generate->key_type), self->token_label, reason);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The key exists from here on: a failure, abort, or begin failing deletes it. */
  g_clear_pointer (&self->object_url, g_free);
  self->object_url = g_steal_pointer (&object_url);
  self->generated_key = TRUE;

  if (g_cancellable_is_cancelled (cancellable))
    {
      drop_generated_key (self, generate->name);
      g_task_return_error_if_cancelled (task);
      return;
    }

  key_url_pin = url_with_pin (key_url, self->pin);
  if ((rc = gnutls_privkey_init (&privkey)) < 0 ||
      (rc = gnutls_privkey_import_url (privkey, key_url_pin, GNUTLS_PKCS11_OBJ_FLAG_LOGIN)) < 0)
    {
      g_autofree char *reason = gnutls_reason (rc);

      drop_generated_key (self, generate->name);
      if (is_pin_error (rc))
        set_pin_error (&error, self->token_label, rc);
      else
        g_set_error (&error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                     _("The key made on the security token “%s” could not be opened (%s). "
                       "Check that the token is plugged in, then try again."),
                     self->token_label, reason);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  sdk_uri = make_sdk_uri (self->module_path, slot, id);
  key = ze_key_pair_new_for_privkey (g_steal_pointer (&privkey), sdk_uri);

  /* The object opened must be the one just made. */
  public_key = ze_key_pair_get_public_key_der (key);
  if (public_key == NULL ||
      g_bytes_get_size (public_key) != public_der.size ||
      memcmp (g_bytes_get_data (public_key, NULL), public_der.data, public_der.size) != 0)
    {
      drop_generated_key (self, generate->name);
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                               _("The security token “%s” did not give back the key it just "
                                 "made. Try again; if it keeps failing, use another token or "
                                 "report a bug."),
                               self->token_label);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&key), g_object_unref);
}

static void
ze_pkcs11_store_generate_key_async (ZeIdentityStore     *store,
                                    ZeIdentity          *identity,
                                    ZeKeyType            key_type,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  ZePkcs11Store *self = ZE_PKCS11_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  gnutls_pk_algorithm_t pk;
  unsigned int bits;
  Generate *generate;

  g_task_set_source_tag (task, ze_pkcs11_store_generate_key_async);

  /* One store, one enrollment: its key and record stay as they are. */
  if (self->created_record)
    {
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                               _("This enrollment already keeps an identity on the security "
                                 "token “%s”. Start a new enrollment to make another key."),
                               self->token_label);
      return;
    }

  if (!_ze_key_type_get_parameters (key_type, &pk, &bits))
    {
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_KEYGEN_FAILED,
                               _("This kind of key cannot be made on a security token. Choose "
                                 "EC P-256, EC P-384 or RSA 2048, 3072 or 4096."));
      return;
    }

  generate = g_new0 (Generate, 1);
  generate->name = g_strdup (ze_identity_get_name (identity));
  generate->key_type = key_type;
  g_task_set_task_data (task, generate, (GDestroyNotify)generate_free);

  /* Not return-on-cancel: a key made after the caller left would stay on
   * the token. The worker deletes it instead. */
  g_task_run_in_thread (task, generate_key_worker);
}

static ZeKeyPair *
ze_pkcs11_store_generate_key_finish (ZeIdentityStore  *store,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- records ---- */

/* Writes the record of @identity: exclusively the first time, so that two
 * enrollments cannot take one name; replacing it afterwards. */
static gboolean
write_record (ZePkcs11Store  *self,
              ZeIdentity     *identity,
              GError        **error)
{
  if (!_ze_identity_library_write_record (self->directory, self->record_path, identity,
                                          self->created_record, error))
    return FALSE;

  self->created_record = TRUE;

  return TRUE;
}

static gboolean
remove_record (ZePkcs11Store  *self,
               GError        **error)
{
  if (self->created_record && !_ze_identity_library_remove_record (self->record_path, error))
    return FALSE;

  self->created_record = FALSE;

  return TRUE;
}

/* ---- begin: the record, pending ---- */

static void
begin_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ZePkcs11Store *self = source_object;
  ZeIdentity *identity = task_data;
  g_autoptr(GError) error = NULL;

  if (!write_record (self, identity, &error))
    {
      /* No record: the key this run made on the token goes too. */
      drop_generated_key (self, ze_identity_get_name (identity));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
ze_pkcs11_store_begin_async (ZeIdentityStore     *store,
                             ZeIdentity          *identity,
                             ZeKeyPair           *key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ZePkcs11Store *self = ZE_PKCS11_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *file = g_strconcat (ze_identity_get_name (identity), ".json", NULL);
  const char *uri = key != NULL ? ze_key_pair_get_uri (key) : NULL;

  g_task_set_source_tag (task, ze_pkcs11_store_begin_async);

  if (key != NULL && (uri == NULL || !g_str_has_prefix (uri, "pkcs11://")))
    {
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_PKCS11_FAILED,
                               _("This private key is not on a security token, so it cannot be "
                                 "kept there. Let Ziti Enroll make the key on the token, or keep "
                                 "this key in the keyring or in a file instead."));
      return;
    }

  g_clear_pointer (&self->record_path, g_free);
  self->record_path = g_build_filename (self->directory, file, NULL);

  if (uri != NULL)
    ze_identity_set_key_reference (identity, uri);
  ze_identity_set_store_kind (identity, "pkcs11");
  ze_identity_set_location (identity, self->record_path);
  ze_identity_set_pending (identity, TRUE);

  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);
  g_task_run_in_thread (task, begin_worker);
}

static gboolean
ze_pkcs11_store_finish (ZeIdentityStore  *store,
                        GAsyncResult     *result,
                        GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- complete: the record, with its certificate, replaces the pending one ---- */

static void
complete_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ZePkcs11Store *self = source_object;
  ZeIdentity *identity = task_data;
  g_autoptr(GError) error = NULL;

  if (!write_record (self, identity, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
ze_pkcs11_store_complete_async (ZeIdentityStore     *store,
                                ZeIdentity          *identity,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ZePkcs11Store *self = ZE_PKCS11_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ze_pkcs11_store_complete_async);

  if (self->record_path == NULL)
    {
      g_autofree char *file = g_strconcat (ze_identity_get_name (identity), ".json", NULL);

      self->record_path = g_build_filename (self->directory, file, NULL);
    }

  ze_identity_set_store_kind (identity, "pkcs11");
  ze_identity_set_location (identity, self->record_path);
  ze_identity_set_pending (identity, FALSE);

  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);
  g_task_run_in_thread (task, complete_worker);
}

/* ---- abort: the key objects on the token, then the record ---- */

static void
abort_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ZePkcs11Store *self = source_object;
  ZeIdentity *identity = task_data;
  g_autoptr(GError) error = NULL;

  /* If the key stays, so does its record: a key never stays without one. */
  if (!delete_generated_key (self, ze_identity_get_name (identity), &error) ||
      !remove_record (self, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
ze_pkcs11_store_abort_async (ZeIdentityStore     *store,
                             ZeIdentity          *identity,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ZePkcs11Store *self = ZE_PKCS11_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ze_pkcs11_store_abort_async);
  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);
  g_task_run_in_thread (task, abort_worker);
}

static void
identity_store_iface_init (ZeIdentityStoreInterface *iface)
{
  iface->get_kind = ze_pkcs11_store_get_kind;
  iface->generate_key_async = ze_pkcs11_store_generate_key_async;
  iface->generate_key_finish = ze_pkcs11_store_generate_key_finish;
  iface->begin_async = ze_pkcs11_store_begin_async;
  iface->begin_finish = ze_pkcs11_store_finish;
  iface->complete_async = ze_pkcs11_store_complete_async;
  iface->complete_finish = ze_pkcs11_store_finish;
  iface->abort_async = ze_pkcs11_store_abort_async;
  iface->abort_finish = ze_pkcs11_store_finish;
}
