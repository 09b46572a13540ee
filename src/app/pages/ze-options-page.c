/* ze-options-page.c: the identity's name, where the key goes, method inputs
 *
 * The defaults are right (design.md §5): the name comes from the token file,
 * the key goes to the keyring as EC P-256; the key type hides behind
 * "Advanced". ottca and ca tokens need the person's certificate and key,
 * updb tokens a password typed twice. Leaving the page hands everything to
 * the enrollment and confirms trust: the run, paused until now, goes on.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/gnutls.h>

#include "ze-options-page.h"
#include "ze-ui-util.h"

/* Where Debian and Fedora put p11-kit's proxy module. */
#if defined(__x86_64__)
# define P11_KIT_PROXY "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"
#elif defined(__aarch64__)
# define P11_KIT_PROXY "/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so"
#else
# define P11_KIT_PROXY "/usr/lib/p11-kit-proxy.so"
#endif

static const ZeKeyType key_types[] = {
  ZE_KEY_TYPE_EC_P256,
  ZE_KEY_TYPE_EC_P384,
  ZE_KEY_TYPE_RSA_2048,
  ZE_KEY_TYPE_RSA_3072,
  ZE_KEY_TYPE_RSA_4096,
};

struct _ZeOptionsPage
{
  ZePage                parent_instance;

  /* Template widgets */
  AdwEntryRow          *name_row;
  GtkLabel             *name_error_label;
  GtkWidget            *password_box;
  AdwPasswordEntryRow  *password_row;
  AdwPasswordEntryRow  *confirm_row;
  GtkLabel             *password_label;
  GtkWidget            *certificate_box;
  AdwActionRow         *certificate_row;
  AdwActionRow         *key_row;
  GtkLabel             *certificate_error_label;
  AdwPreferencesGroup  *store_group;
  AdwComboRow          *store_row;
  AdwActionRow         *file_row;
  AdwEntryRow          *module_row;
  AdwEntryRow          *token_label_row;
  AdwPasswordEntryRow  *pin_row;
  AdwExpanderRow       *advanced_row;
  AdwComboRow          *key_type_row;
  GtkLabel             *store_error_label;

  /* Owned references */
  GSettings            *settings;
  ZeIdentityLibrary    *library;
  ZeToken              *token;            /* the one the defaults were made for */
  char                 *file_path;
  char                 *certificate_pem;
  ZeCertificate        *certificate;
  ZeKeyPair            *client_key;
  GCancellable         *cancellable;      /* file loads; cancelled on dispose */
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (ZeOptionsPage, ze_options_page, ZE_TYPE_PAGE)

static ZeEnrollMethod
get_method (ZeOptionsPage *self)
{
  return self->token != NULL ? ze_token_get_method (self->token) : ZE_ENROLL_METHOD_OTT;
}

static gboolean
needs_certificate (ZeOptionsPage *self)
{
  ZeEnrollMethod method = get_method (self);

  return method == ZE_ENROLL_METHOD_OTTCA || method == ZE_ENROLL_METHOD_CA;
}

/* A rough hint, not a rule: the controller's policy decides. */
static const char *
describe_strength (const char *password)
{
  gsize len = g_utf8_strlen (password, -1);
  gboolean lower = FALSE, upper = FALSE, digit = FALSE, other = FALSE;
  int classes;

  for (const char *p = password; *p != '\0'; p++)
    {
      if (g_ascii_islower (*p))
        lower = TRUE;
      else if (g_ascii_isupper (*p))
        upper = TRUE;
      else if (g_ascii_isdigit (*p))
        digit = TRUE;
      else
        other = TRUE;
    }
  classes = lower + upper + digit + other;

  if (len < 8)
    return _("Weak password: use at least 8 characters.");
  if (len >= 16 || (len >= 12 && classes >= 3))
    return _("Strong password.");
  if (classes >= 2)
    return _("Fair password: a longer one, or a few words, is stronger.");

  return _("Weak password: mix in other kinds of characters, or make it longer.");
}

/* Recomputes whether the page is complete, and the hints that go with it. */
static void
update (ZeOptionsPage *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  gboolean complete = TRUE;
  gboolean file = adw_combo_row_get_selected (self->store_row) == ZE_KEY_PLACE_FILE;
  gboolean pkcs11 = adw_combo_row_get_selected (self->store_row) == ZE_KEY_PLACE_PKCS11;

  if (*name == '\0')
    complete = FALSE;
  else if (!ze_identity_name_is_valid (name))
    {
      ze_ui_set_field_error (GTK_WIDGET (self->name_row), self->name_error_label,
                             _("Use up to 100 letters, digits and punctuation, without “/” "
                               "and not starting with a dot."));
      complete = FALSE;
    }
  else
    ze_ui_set_field_error (GTK_WIDGET (self->name_row), self->name_error_label, NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->file_row), file);
  if (file && self->file_path == NULL)
    complete = FALSE;

  gtk_widget_set_visible (GTK_WIDGET (self->module_row), pkcs11);
  gtk_widget_set_visible (GTK_WIDGET (self->token_label_row), pkcs11);
  gtk_widget_set_visible (GTK_WIDGET (self->pin_row), pkcs11);
  if (pkcs11 &&
      (*gtk_editable_get_text (GTK_EDITABLE (self->module_row)) == '\0' ||
       *gtk_editable_get_text (GTK_EDITABLE (self->token_label_row)) == '\0' ||
       *gtk_editable_get_text (GTK_EDITABLE (self->pin_row)) == '\0'))
    complete = FALSE;

  if (get_method (self) == ZE_ENROLL_METHOD_UPDB)
    {
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
      const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
      gboolean mismatch = *confirm != '\0' && strcmp (password, confirm) != 0;

      if (*password == '\0' || *confirm == '\0' || mismatch)
        complete = FALSE;

      if (mismatch)
        {
          ze_ui_set_field_error (GTK_WIDGET (self->confirm_row), NULL,
                                 _("The passwords do not match."));
          gtk_label_set_text (self->password_label, _("The passwords do not match."));
          gtk_widget_add_css_class (GTK_WIDGET (self->password_label), "error");
          gtk_widget_remove_css_class (GTK_WIDGET (self->password_label), "dim-label");
        }
      else
        {
          ze_ui_set_field_error (GTK_WIDGET (self->confirm_row), NULL, NULL);
          gtk_label_set_text (self->password_label,
                              *password != '\0' ? describe_strength (password)
                                                : _("Type it twice, to be sure of it."));
          gtk_widget_remove_css_class (GTK_WIDGET (self->password_label), "error");
          gtk_widget_add_css_class (GTK_WIDGET (self->password_label), "dim-label");
        }
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->password_row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      gtk_label_get_text (self->password_label),
                                      -1);
    }

  if (needs_certificate (self) && (self->certificate_pem == NULL || self->client_key == NULL))
    complete = FALSE;

  ze_page_set_complete (ZE_PAGE (self), complete);
}

static void
on_input_changed_cb (ZeOptionsPage *self,
                     GtkEditable   *editable)
{
  update (self);
}

static void
on_entry_activated_cb (ZeOptionsPage *self,
                       AdwEntryRow   *row)
{
  if (ze_page_get_complete (ZE_PAGE (self)))
    gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
  else if (row == ADW_ENTRY_ROW (self->password_row))
    gtk_widget_grab_focus (GTK_WIDGET (self->confirm_row));
}

static void
on_store_selected_cb (ZeOptionsPage *self,
                      GParamSpec    *pspec,
                      AdwComboRow   *row)
{
  const char *subtitle;

  switch (adw_combo_row_get_selected (row))
    {
    case ZE_KEY_PLACE_FILE:
      subtitle = _("A standard identity file that ziti-edge-tunnel and the SDKs read");
      break;

    case ZE_KEY_PLACE_PKCS11:
      subtitle = _("Made on a smart card or security key; it never leaves it");
      break;

    case ZE_KEY_PLACE_KEYRING:
    default:
      subtitle = _("Protected by your login password");
      break;
    }

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (get_method (self) == ZE_ENROLL_METHOD_OTT)
    adw_preferences_group_set_description (self->store_group,
                                           adw_combo_row_get_selected (row) == ZE_KEY_PLACE_PKCS11
                                           ? _("Your new key is made on the token and never "
                                               "leaves it.")
                                           : _("Your new key is made on this computer and never "
                                               "leaves it."));
  ze_ui_set_field_error (GTK_WIDGET (self->store_row), self->store_error_label, NULL);
  update (self);
}

/**
 * ze_options_page_set_file:
 * @path: (nullable): where the identity file goes, for the "file" store
 */
void
ze_options_page_set_file (ZeOptionsPage *self,
                          const char    *path)
{
  g_return_if_fail (ZE_IS_OPTIONS_PAGE (self));

  g_free (self->file_path);
  self->file_path = g_strdup (path);

  if (path != NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      adw_action_row_set_subtitle (self->file_row, display);
      adw_combo_row_set_selected (self->store_row, ZE_KEY_PLACE_FILE);
    }
  else
    adw_action_row_set_subtitle (self->file_row, _("Not chosen yet"));

  update (self);
}

static void
on_file_chosen_cb (ZeOptionsPage        *self,
                   int                   response,
                   GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  g_clear_object (&self->chooser);

  if (response != GTK_RESPONSE_ACCEPT)
    return;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path == NULL)
    return;

  /* The store never replaces a file: say so now rather than at the end. */
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *base = g_file_get_basename (file);
      g_autofree char *message = g_strdup_printf (_("“%s” already exists, and an identity file "
                                                    "is never replaced. Choose another name."),
                                                  base);

      ze_ui_set_field_error (GTK_WIDGET (self->file_row), self->store_error_label, message);
      return;
    }

  ze_ui_set_field_error (GTK_WIDGET (self->file_row), self->store_error_label, NULL);
  ze_options_page_set_file (self, path);
}

static GtkWindow *
get_window (ZeOptionsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
ze_options_page_choose_file_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  ZeOptionsPage *self = ZE_OPTIONS_PAGE (widget);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *file_name = g_strconcat (*name != '\0' ? name : "identity", ".json", NULL);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Save the Identity File"), get_window (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), file_name);
  ze_ui_add_json_filters (GTK_FILE_CHOOSER (self->chooser));
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_file_chosen_cb), self, G_CONNECT_SWAPPED);
  ze_ui_show_file_chooser (self->chooser);
}

/* ---- ottca and ca: the person's certificate and key ---- */

static void
check_client_certificate (ZeOptionsPage *self)
{
  g_autoptr(ZeEnroller) check = NULL;
  g_autoptr(GError) error = NULL;

  if (self->certificate_pem == NULL || self->client_key == NULL || self->token == NULL)
    {
      update (self);
      return;
    }

  /* The core knows whether they belong together, and how to say it. */
  check = ze_enroller_new (self->token);
  if (!ze_enroller_set_client_certificate (check, self->certificate_pem, self->client_key, &error))
    {
      ze_ui_set_field_error (GTK_WIDGET (self->key_row), self->certificate_error_label,
                             error->message);
      g_clear_object (&self->client_key);
      adw_action_row_set_subtitle (self->key_row, _("Not chosen yet"));
    }

  update (self);
}

static void
on_certificate_loaded_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(ZeOptionsPage) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeCertificate) certificate = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *base = g_file_get_basename (G_FILE (object));
  gsize len = 0;

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bytes != NULL)
    {
      pem = g_strndup (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));
      certificate = ze_certificate_new_from_pem (pem, -1, &error);
    }

  if (certificate == NULL)
    {
      ze_ui_set_field_error (GTK_WIDGET (self->certificate_row), self->certificate_error_label,
                             error->message);
      g_clear_pointer (&self->certificate_pem, g_free);
      update (self);
      return;
    }

  ze_ui_set_field_error (GTK_WIDGET (self->certificate_row), self->certificate_error_label, NULL);
  g_free (self->certificate_pem);
  self->certificate_pem = g_steal_pointer (&pem);
  g_set_object (&self->certificate, certificate);
  adw_action_row_set_subtitle (self->certificate_row, base);
  check_client_certificate (self);
}

static void
on_key_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ZeOptionsPage) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autofree char *base = g_file_get_basename (G_FILE (object));

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bytes != NULL)
    {
      gsize len = 0;
      guint8 *data = g_bytes_unref_to_data (g_steal_pointer (&bytes), &len);

      key = ze_key_pair_new_from_pem ((const char *)data, len, &error);
      gnutls_memset (data, 0, len);
      g_free (data);
    }

  if (key == NULL)
    {
      ze_ui_set_field_error (GTK_WIDGET (self->key_row), self->certificate_error_label,
                             error->message);
      g_clear_object (&self->client_key);
      update (self);
      return;
    }

  ze_ui_set_field_error (GTK_WIDGET (self->key_row), self->certificate_error_label, NULL);
  g_set_object (&self->client_key, key);
  adw_action_row_set_subtitle (self->key_row, base);
  check_client_certificate (self);
}

/**
 * ze_options_page_set_certificate_file:
 * @file: the person's certificate (PEM), for ottca and ca tokens
 *
 * Reads @file without blocking and checks it.
 */
void
ze_options_page_set_certificate_file (ZeOptionsPage *self,
                                      GFile         *file)
{
  g_return_if_fail (ZE_IS_OPTIONS_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  g_file_load_bytes_async (file, self->cancellable, on_certificate_loaded_cb, g_object_ref (self));
}

/**
 * ze_options_page_set_key_file:
 * @file: the private key of the certificate (PEM)
 *
 * Reads @file without blocking, checks that it belongs to the certificate,
 * and wipes what was read.
 */
void
ze_options_page_set_key_file (ZeOptionsPage *self,
                              GFile         *file)
{
  g_return_if_fail (ZE_IS_OPTIONS_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  g_file_load_bytes_async (file, self->cancellable, on_key_loaded_cb, g_object_ref (self));
}

static void
on_pem_chosen_cb (ZeOptionsPage        *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  gboolean key = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "ze-key"));

  g_clear_object (&self->chooser);

  if (response != GTK_RESPONSE_ACCEPT)
    return;

  if (!(file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))))
    return;

  if (key)
    ze_options_page_set_key_file (self, file);
  else
    ze_options_page_set_certificate_file (self, file);
}

static void
ze_options_page_choose_pem_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  ZeOptionsPage *self = ZE_OPTIONS_PAGE (widget);
  gboolean key = g_str_equal (action_name, "options.choose-key");

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (key ? _("Choose Your Private Key")
                                                   : _("Choose Your Certificate"),
                                               get_window (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  ze_ui_add_pem_filters (GTK_FILE_CHOOSER (self->chooser));
  g_object_set_data (G_OBJECT (self->chooser), "ze-key", GINT_TO_POINTER (key));
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_pem_chosen_cb), self, G_CONNECT_SWAPPED);
  ze_ui_show_file_chooser (self->chooser);
}

/* ---- the page ---- */

/* Fresh defaults for a new token; the same token keeps what was chosen. */
static void
reset_for_token (ZeOptionsPage *self,
                 ZeToken       *token)
{
  ZeEnrollment *enrollment = ze_page_get_enrollment (ZE_PAGE (self));
  g_autofree char *name = ze_enrollment_dup_default_name (enrollment);
  ZeKeyType key_type = ZE_KEY_TYPE_EC_P256;
  ZeEnrollMethod method;

  g_set_object (&self->token, token);
  method = get_method (self);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  g_clear_pointer (&self->certificate_pem, g_free);
  g_clear_object (&self->certificate);
  g_clear_object (&self->client_key);
  adw_action_row_set_subtitle (self->certificate_row, _("Not chosen yet"));
  adw_action_row_set_subtitle (self->key_row, _("Not chosen yet"));
  ze_ui_set_field_error (GTK_WIDGET (self->certificate_row), self->certificate_error_label, NULL);
  ze_ui_set_field_error (GTK_WIDGET (self->key_row), self->certificate_error_label, NULL);
  ze_ui_set_field_error (GTK_WIDGET (self->store_row), self->store_error_label, NULL);
  ze_ui_set_field_error (GTK_WIDGET (self->file_row), self->store_error_label, NULL);
  adw_expander_row_set_expanded (self->advanced_row, FALSE);

  gtk_widget_set_visible (self->password_box, method == ZE_ENROLL_METHOD_UPDB);
  gtk_widget_set_visible (self->certificate_box, needs_certificate (self));

  /* Only ott makes a key here: updb has none, ottca and ca bring their own. */
  gtk_widget_set_visible (GTK_WIDGET (self->advanced_row), method == ZE_ENROLL_METHOD_OTT);
  if (method == ZE_ENROLL_METHOD_OTT)
    {
      adw_preferences_group_set_title (self->store_group, _("Private Key"));
      adw_preferences_group_set_description (self->store_group,
                                             _("Your new key is made on this computer and never "
                                               "leaves it."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->store_row), _("_Keep the key in"));
    }
  else
    {
      adw_preferences_group_set_title (self->store_group, _("Storage"));
      adw_preferences_group_set_description (self->store_group,
                                             method == ZE_ENROLL_METHOD_UPDB
                                             ? _("Where this computer keeps the identity.")
                                             : _("Where this computer keeps the identity and a "
                                                 "copy of your private key."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->store_row),
                                     _("_Keep the identity in"));
    }

  /* A hardware token makes its own key: only for one-time tokens. */
  {
    g_autoptr(GtkStringList) places = gtk_string_list_new (NULL);

    gtk_string_list_append (places, _("Keyring"));
    gtk_string_list_append (places, _("Identity file"));
    if (method == ZE_ENROLL_METHOD_OTT)
      gtk_string_list_append (places, _("Hardware token"));
    adw_combo_row_set_model (self->store_row, G_LIST_MODEL (places));
  }

  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
  if (*gtk_editable_get_text (GTK_EDITABLE (self->module_row)) == '\0')
    {
      /* p11-kit's proxy reaches every module the system registered. */
      const char *proxy = P11_KIT_PROXY;

      if (g_file_test (proxy, G_FILE_TEST_IS_REGULAR))
        gtk_editable_set_text (GTK_EDITABLE (self->module_row), proxy);
    }

  if (self->settings != NULL)
    {
      g_autofree char *last_store = g_settings_get_string (self->settings, "last-store");
      g_autofree char *last_key_type = g_settings_get_string (self->settings, "last-key-type");
      ZeKeyPlace place = ZE_KEY_PLACE_KEYRING;

      if (g_strcmp0 (last_store, "file") == 0)
        place = ZE_KEY_PLACE_FILE;
      else if (g_strcmp0 (last_store, "pkcs11") == 0 && method == ZE_ENROLL_METHOD_OTT)
        place = ZE_KEY_PLACE_PKCS11;
      adw_combo_row_set_selected (self->store_row, place);
      if (!ze_key_type_from_string (last_key_type, &key_type))
        key_type = ZE_KEY_TYPE_EC_P256;
    }
  else
    adw_combo_row_set_selected (self->store_row, ZE_KEY_PLACE_KEYRING);

  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (key_types[i] == key_type)
      adw_combo_row_set_selected (self->key_type_row, i);

  ze_options_page_set_file (self, NULL);
  on_store_selected_cb (self, NULL, self->store_row);
}

static void
ze_options_page_shown (ZePage *page)
{
  ZeOptionsPage *self = ZE_OPTIONS_PAGE (page);
  ZeToken *token = ze_enrollment_get_token (ze_page_get_enrollment (page));

  if (token != self->token)
    reset_for_token (self, token);

  update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static ZeIdentityLibrary *
get_library (ZeOptionsPage *self)
{
  return self->library != NULL ? self->library : ze_identity_library_get_default ();
}

/* Shows @error on the field at fault. */
static void
show_apply_error (ZeOptionsPage *self,
                  const GError  *error)
{
  if (g_error_matches (error, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS))
    ze_ui_set_field_error (GTK_WIDGET (self->name_row), self->name_error_label, error->message);
  else
    {
      ze_ui_set_field_error (GTK_WIDGET (self->store_row), self->store_error_label, error->message);
      if (g_error_matches (error, ZE_ERROR, ZE_ERROR_KEYRING_UNAVAILABLE))
        adw_combo_row_set_selected (self->store_row, ZE_KEY_PLACE_FILE);
    }
}

/* Hands everything to the enrollment and confirms trust. */
static void
finish_apply (ZeOptionsPage   *self,
              GTask           *task,
              ZeIdentityStore *store)
{
  ZeEnrollment *enrollment = ze_page_get_enrollment (ZE_PAGE (self));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  ZeKeyType key_type = key_types[MIN (adw_combo_row_get_selected (self->key_type_row),
                                      G_N_ELEMENTS (key_types) - 1)];
  ZeKeyPlace place = adw_combo_row_get_selected (self->store_row);

  ze_enrollment_set_name (enrollment, name);
  ze_enrollment_set_store (enrollment, store);
  ze_enrollment_set_key_type (enrollment, key_type);

  if (get_method (self) == ZE_ENROLL_METHOD_UPDB)
    {
      ze_enrollment_set_password (enrollment,
                                  gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
      /* Only the enrollment's copy remains, and the core wipes it. */
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
    }

  if (needs_certificate (self))
    ze_enrollment_set_client_certificate (enrollment, self->certificate_pem, self->client_key);

  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "last-store",
                             place == ZE_KEY_PLACE_FILE ? "file"
                             : place == ZE_KEY_PLACE_PKCS11 ? "pkcs11" : "keyring");
      if (get_method (self) == ZE_ENROLL_METHOD_OTT)
        g_settings_set_string (self->settings, "last-key-type", ze_key_type_to_string (key_type));
    }

  /* Confirms trust: the run, paused since the Controller page, goes on. */
  ze_enrollment_enroll (enrollment);
  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  ZeIdentityLibrary *library;
  ZeIdentityStore   *store;      /* the hardware token's; NULL for the keyring */
  char              *name;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->library);
  g_clear_object (&lookup->store);
  g_free (lookup->name);
  g_free (lookup);
}

/* The keyring's records are files: look for the name off the main thread. */
static void
lookup_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Lookup *lookup = task_data;
  g_autoptr(ZeIdentity) existing = ze_identity_library_lookup (lookup->library, lookup->name, NULL);

  g_task_return_boolean (task, existing != NULL);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ZeOptionsPage *self = ZE_OPTIONS_PAGE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(ZeIdentityStore) store = NULL;
  g_autoptr(GError) error = NULL;
  Lookup *lookup = g_task_get_task_data (G_TASK (result));
  const char *name = lookup->name;
  gboolean exists;

  exists = g_task_propagate_boolean (G_TASK (result), &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (exists)
    {
      g_set_error (&error, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS,
                   _("You already have an identity named “%s”. Choose another name."), name);
      show_apply_error (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (lookup->store != NULL)
    store = g_object_ref (lookup->store);
  else if (!(store = ze_identity_library_create_keyring_store (get_library (self))))
    {
      g_set_error_literal (&error, ZE_ERROR, ZE_ERROR_KEYRING_UNAVAILABLE,
                           _("The keyring is not available, so the key cannot be kept there. "
                             "Keep it in an identity file instead."));
      show_apply_error (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  finish_apply (self, task, store);
}

static void
ze_options_page_apply_async (ZePage              *page,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ZeOptionsPage *self = ZE_OPTIONS_PAGE (page);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) lookup = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  Lookup *data;

  g_task_set_source_tag (task, ze_options_page_apply_async);

  if (!ze_identity_name_is_valid (name))
    {
      update (self);
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_INPUT_INVALID, "%s",
                               gtk_label_get_text (self->name_error_label));
      return;
    }

  if (adw_combo_row_get_selected (self->store_row) == ZE_KEY_PLACE_FILE)
    {
      g_autoptr(ZeIdentityStore) store = NULL;

      if (self->file_path == NULL)
        {
          g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_INPUT_INVALID, "%s",
                                   _("Choose where to save the identity file."));
          return;
        }

      store = ZE_IDENTITY_STORE (ze_file_store_new (self->file_path));
      finish_apply (self, task, store);
      return;
    }

  data = g_new0 (Lookup, 1);
  data->library = g_object_ref (get_library (self));
  data->name = g_strdup (name);

  if (adw_combo_row_get_selected (self->store_row) == ZE_KEY_PLACE_PKCS11)
    {
      const char *directory = ze_identity_library_get_directory (get_library (self));
      const char *module = gtk_editable_get_text (GTK_EDITABLE (self->module_row));
      const char *label = gtk_editable_get_text (GTK_EDITABLE (self->token_label_row));
      const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
      g_autoptr(ZeIdentityStore) store = NULL;
      g_autoptr(GError) error = NULL;

      store = ZE_IDENTITY_STORE (ze_pkcs11_store_new (directory, module, label, pin, &error));
      if (store == NULL)
        {
          ze_ui_set_field_error (GTK_WIDGET (self->module_row), self->store_error_label,
                                 error->message);
          lookup_free (data);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* The store keeps its own copy of the PIN, and wipes it. */
      gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
      ze_ui_set_field_error (GTK_WIDGET (self->module_row), self->store_error_label, NULL);
      data->store = g_steal_pointer (&store);
    }

  lookup = g_task_new (self, cancellable, lookup_cb, g_steal_pointer (&task));
  g_task_set_source_tag (lookup, lookup_worker);
  g_task_set_task_data (lookup, data, (GDestroyNotify)lookup_free);
  g_task_run_in_thread (lookup, lookup_worker);
}

void
ze_options_page_set_settings (ZeOptionsPage *self,
                              GSettings     *settings)
{
  g_return_if_fail (ZE_IS_OPTIONS_PAGE (self));
  g_return_if_fail (!settings || G_IS_SETTINGS (settings));

  g_set_object (&self->settings, settings);
}

/**
 * ze_options_page_set_library:
 * @library: (nullable): where keyring identities go; %NULL for the default
 */
void
ze_options_page_set_library (ZeOptionsPage     *self,
                             ZeIdentityLibrary *library)
{
  g_return_if_fail (ZE_IS_OPTIONS_PAGE (self));
  g_return_if_fail (!library || ZE_IS_IDENTITY_LIBRARY (library));

  g_set_object (&self->library, library);
}

static void
ze_options_page_dispose (GObject *object)
{
  ZeOptionsPage *self = (ZeOptionsPage *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZE_TYPE_OPTIONS_PAGE);
  g_clear_object (&self->settings);
  g_clear_object (&self->library);
  g_clear_object (&self->token);
  g_clear_object (&self->certificate);
  g_clear_object (&self->client_key);

  G_OBJECT_CLASS (ze_options_page_parent_class)->dispose (object);
}

static void
ze_options_page_finalize (GObject *object)
{
  ZeOptionsPage *self = (ZeOptionsPage *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->file_path, g_free);
  g_clear_pointer (&self->certificate_pem, g_free);

  G_OBJECT_CLASS (ze_options_page_parent_class)->finalize (object);
}

static void
ze_options_page_class_init (ZeOptionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ZePageClass *page_class = ZE_PAGE_CLASS (klass);

  object_class->dispose = ze_options_page_dispose;
  object_class->finalize = ze_options_page_finalize;

  page_class->shown = ze_options_page_shown;
  page_class->apply_async = ze_options_page_apply_async;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/ze-options-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, name_error_label);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, password_box);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, password_label);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, certificate_box);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, certificate_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, key_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, certificate_error_label);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, store_group);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, store_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, file_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, module_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, token_label_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, pin_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, key_type_row);
  gtk_widget_class_bind_template_child (widget_class, ZeOptionsPage, store_error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_store_selected_cb);

  gtk_widget_class_install_action (widget_class, "options.choose-file", NULL,
                                   ze_options_page_choose_file_action);
  gtk_widget_class_install_action (widget_class, "options.choose-certificate", NULL,
                                   ze_options_page_choose_pem_action);
  gtk_widget_class_install_action (widget_class, "options.choose-key", NULL,
                                   ze_options_page_choose_pem_action);
}

static void
ze_options_page_init (ZeOptionsPage *self)
{
  AdwActionRow *choose_rows[3];

  gtk_widget_init_template (GTK_WIDGET (self));

  /* A row also names the Choose… button it activates, which would make it
   * "Choose the certificate file Certificate": the button's own name says it all. */
  choose_rows[0] = self->certificate_row;
  choose_rows[1] = self->key_row;
  choose_rows[2] = self->file_row;
  for (guint i = 0; i < G_N_ELEMENTS (choose_rows); i++)
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (adw_action_row_get_activatable_widget (choose_rows[i])),
                                   GTK_ACCESSIBLE_RELATION_LABELLED_BY);

  self->cancellable = g_cancellable_new ();
}
