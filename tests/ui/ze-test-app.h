/* ze-test-app.h: a Ziti Enroll window in a known state, for the UI tests
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <unistd.h>

#include <glib/gstdio.h>

#include <adwaita.h>
#include <pango/pangocairo.h>

#include "ze-enrollment-private.h"
#include "ze-test-ui.h"
#include "ze-test-util.h"
#include "ze-window.h"
#include "pages/ze-controller-page.h"
#include "pages/ze-done-page.h"
#include "pages/ze-enrolling-page.h"
#include "pages/ze-error-page.h"
#include "pages/ze-options-page.h"
#include "pages/ze-token-page.h"

/* ---- a network where host names never resolve (IP addresses still work) ---- */

#define ZE_TEST_TYPE_SILENT_RESOLVER (ze_test_silent_resolver_get_type ())
G_DECLARE_FINAL_TYPE (ZeTestSilentResolver, ze_test_silent_resolver, ZE_TEST, SILENT_RESOLVER,
                      GResolver)

struct _ZeTestSilentResolver
{
  GResolver parent_instance;
};

G_DEFINE_FINAL_TYPE (ZeTestSilentResolver, ze_test_silent_resolver, G_TYPE_RESOLVER)

static gboolean
ze_test_silent_resolver_return_cb (gpointer user_data)
{
  GTask *task = user_data;

  g_task_return_error_if_cancelled (task);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static void
ze_test_silent_resolver_cancelled_cb (GCancellable *cancellable,
                                      GTask        *task)
{
  g_idle_add (ze_test_silent_resolver_return_cb, g_object_ref (task));
}

/* The answer never comes; cancelling ends the lookup. */
static void
ze_test_silent_resolver_lookup_async (GResolver                *resolver,
                                      const char               *hostname,
                                      GResolverNameLookupFlags  flags,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_set_check_cancellable (task, FALSE);
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (ze_test_silent_resolver_cancelled_cb),
                           task, g_object_unref);
}

static void
ze_test_silent_resolver_lookup_plain_async (GResolver           *resolver,
                                            const char          *hostname,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  ze_test_silent_resolver_lookup_async (resolver, hostname, 0, cancellable, callback, user_data);
}

static GList *
ze_test_silent_resolver_lookup_finish (GResolver     *resolver,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
ze_test_silent_resolver_lookup (GResolver     *resolver,
                                const char    *hostname,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, "no network in tests");
  return NULL;
}

static void
ze_test_silent_resolver_class_init (ZeTestSilentResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = ze_test_silent_resolver_lookup;
  resolver_class->lookup_by_name_async = ze_test_silent_resolver_lookup_plain_async;
  resolver_class->lookup_by_name_finish = ze_test_silent_resolver_lookup_finish;
  resolver_class->lookup_by_name_with_flags_async = ze_test_silent_resolver_lookup_async;
  resolver_class->lookup_by_name_with_flags_finish = ze_test_silent_resolver_lookup_finish;
}

static void
ze_test_silent_resolver_init (ZeTestSilentResolver *self)
{
}

/* Connections to host names then stay "connecting" until cancelled. */
static inline void
ze_test_use_silent_resolver (void)
{
  g_autoptr(GResolver) resolver = g_object_new (ZE_TEST_TYPE_SILENT_RESOLVER, NULL);

  g_resolver_set_default (resolver);
}

#define ZE_TEST_SUBJECT "Qk3f9Zp2a"
#define ZE_TEST_TOKEN_ID "6f1d2c3e-8a4b-4c2d-9e1f-0a1b2c3d4e5f"

/* tests/data/pki/server.sha256 */
#define ZE_TEST_SERVER_SHA256 "e248622e799a42ed9d097f7a859785213cea0dfcc333bf0ed7491282517f3b7f"

/* A token for @host_port, with method @em, expiring @expires_in seconds from now. */
static inline char *
ze_test_token_text (const char *em,
                    const char *host_port,
                    gint64      expires_in)
{
  g_autofree char *claims = NULL;

  claims = g_strdup_printf ("{\"iss\":\"https://%s\",\"sub\":\"" ZE_TEST_SUBJECT "\","
                            "\"aud\":[\"\"],\"exp\":%" G_GINT64_FORMAT ","
                            "\"jti\":\"" ZE_TEST_TOKEN_ID "\",\"em\":\"%s\"}",
                            host_port, g_get_real_time () / G_USEC_PER_SEC + expires_in, em);

  return ze_test_make_token ("{\"alg\":\"ES256\",\"typ\":\"JWT\"}", claims);
}

/* A plausible ott token, valid for three more hours. */
static inline char *
ze_test_valid_token (void)
{
  return ze_test_token_text ("ott", "ctrl.example.com:8441", 3 * 60 * 60 + 600);
}

static inline GtkApplication *
ze_test_app_new (void)
{
  static guint n;
  g_autofree char *id = g_strdup_printf ("io.github.zitienroll.ZitiEnroll.Test%u_%u",
                                         (guint)getpid (), n++);
  GtkApplication *app = gtk_application_new (id, G_APPLICATION_NON_UNIQUE);

  g_application_register (G_APPLICATION (app), NULL, NULL);

  return app;
}

/* Screenshots in GNOME's own font when it is installed (a GNOME session sets it). */
static inline void
ze_test_use_gnome_font (void)
{
  PangoFontMap *map = pango_cairo_font_map_get_default ();
  PangoFontFamily **families = NULL;
  int n = 0;

  pango_font_map_list_families (map, &families, &n);
  for (int i = 0; i < n; i++)
    {
      if (g_strcmp0 (pango_font_family_get_name (families[i]), "Cantarell") == 0)
        {
          g_object_set (gtk_settings_get_default (), "gtk-font-name", "Cantarell 11", NULL);
          break;
        }
    }
  g_free (families);
}

static inline ZeWindow *
ze_test_window_new (GtkApplication *app)
{
  ZeWindow *window = ze_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 640, 720);
  gtk_window_present (GTK_WINDOW (window));
  ze_test_wait_mapped (GTK_WIDGET (window));

  return window;
}

static inline GtkWidget *
ze_test_next_button (ZeWindow *window)
{
  return ze_test_child (window, ZE_TYPE_WINDOW, "next_button");
}

static inline gboolean
ze_test_next_enabled (ZeWindow *window)
{
  GtkWidget *next = ze_test_next_button (window);

  return gtk_widget_get_visible (next) && gtk_widget_get_sensitive (next);
}

static inline gboolean
ze_test_page_is (ZeWindow   *window,
                 const char *name)
{
  return ze_window_get_visible_page (window) == ze_window_get_page (window, name);
}

/* Waits until the stack has settled on the page called @name. */
static inline void
ze_test_wait_page (ZeWindow   *window,
                   const char *name)
{
  GtkStack *stack = ze_test_child (window, ZE_TYPE_WINDOW, "stack");

  ZE_TEST_WAIT_FOR (ze_test_page_is (window, name) && !gtk_stack_get_transition_running (stack));
}

static inline ZeCertificate *
ze_test_load_certificate (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "pki", name, NULL);
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  ZeCertificate *certificate;

  g_file_get_contents (path, &pem, NULL, &error);
  g_assert_no_error (error);
  certificate = ze_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);

  return certificate;
}

static inline GPtrArray *
ze_test_load_ca_bundle (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "pki", "ca-bundle.pem", NULL);
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *cas;

  g_file_get_contents (path, &pem, NULL, &error);
  g_assert_no_error (error);
  cas = ze_certificate_list_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);

  return cas;
}

/* Opens @token_text, then answers for the controller: its certificate is
 * tests/data/pki/server.pem. Leaves the window on the Controller page. */
static inline void
ze_test_reach_trust (ZeWindow   *window,
                     const char *token_text)
{
  ZeEnrollment *enrollment = ze_window_get_enrollment (window);
  g_autoptr(ZeCertificate) leaf = ze_test_load_certificate ("server.pem");
  g_autoptr(GPtrArray) cas = ze_test_load_ca_bundle ();

  ze_window_open_text (window, token_text);
  g_assert_true (ze_test_page_is (window, "controller"));
  _ze_enrollment_set_trust_required (enrollment, leaf, cas);
  ze_test_wait_page (window, "controller");
}

/* A stored identity, as the core returns it after an enrollment. */
static inline ZeIdentity *
ze_test_identity_new (const char *name,
                      const char *store_kind,
                      const char *location)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "pki", "server.pem", NULL);
  g_autofree char *pem = NULL;
  ZeIdentity *identity = ze_identity_new (name);
  const char *urls[] = { "https://ctrl.example.com:8441", NULL };

  g_file_get_contents (path, &pem, NULL, NULL);
  ze_identity_set_controller_url (identity, urls[0]);
  ze_identity_set_controller_urls (identity, urls);
  ze_identity_set_certificate_pem (identity, pem);
  ze_identity_set_store_kind (identity, store_kind);
  ze_identity_set_location (identity, location);
  ze_identity_set_token_id (identity, ZE_TEST_TOKEN_ID);
  ze_identity_set_controller_fingerprint (identity, ZE_TEST_SERVER_SHA256);
  ze_identity_set_method (identity, ZE_ENROLL_METHOD_OTT);

  return identity;
}

static inline void
ze_test_destroy_window (ZeWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  ze_test_run_for (50);
}

/* What every UI test's main() does after gtk_test_init(). */
static inline void
ze_test_setup (void)
{
  adw_init ();
  ze_test_use_silent_resolver ();
  ze_test_use_gnome_font ();
}
