/* test-token-page.c: the Token page checks what is typed, pasted or opened
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "ze-test-app.h"

typedef struct
{
  GtkApplication *app;
  ZeWindow       *window;
  ZeTokenPage    *page;
  GtkWidget      *row;
  GtkLabel       *error_label;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->app = ze_test_app_new ();
  fixture->window = ze_test_window_new (fixture->app);
  fixture->page = ZE_TOKEN_PAGE (ze_window_get_page (fixture->window, "token"));
  fixture->row = ze_test_child (fixture->page, ZE_TYPE_TOKEN_PAGE, "token_row");
  fixture->error_label = ze_test_child (fixture->page, ZE_TYPE_TOKEN_PAGE, "error_label");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  ze_test_destroy_window (fixture->window);
  g_clear_object (&fixture->app);
}

static gboolean
page_complete (Fixture *fixture)
{
  return ze_page_get_complete (ZE_PAGE (fixture->page));
}

/* Typing garbage: Next stays off; after the pause, the error is on the field. */
static void
test_garbage_shows_error (Fixture       *fixture,
                          gconstpointer  data)
{
  gtk_editable_set_text (GTK_EDITABLE (fixture->row), "eyJhbGciOiJFUzI1NiJ9.e30");

  /* Not at once: the check waits for a pause in the typing. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->error_label)));
  g_assert_false (ze_test_next_enabled (fixture->window));

  ZE_TEST_WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (fixture->error_label)));
  g_assert_false (page_complete (fixture));
  g_assert_false (ze_test_next_enabled (fixture->window));
  g_assert_true (gtk_widget_has_css_class (fixture->row, "error"));
  g_assert_cmpstr (gtk_label_get_text (fixture->error_label), !=, "");
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (fixture->row), GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_TRUE);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (fixture->row),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       gtk_label_get_text (fixture->error_label));

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "token-error");

  /* Typing again clears the error at once. */
  gtk_editable_set_text (GTK_EDITABLE (fixture->row), "eyJhbGciOiJFUzI1NiJ9.e30.x");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->error_label)));
  g_assert_false (gtk_widget_has_css_class (fixture->row, "error"));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (fixture->row), GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_FALSE);
}

/* Several kinds of wrong token all say why, on the field. */
static void
test_kinds_of_garbage (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *hs256 = ze_test_make_token ("{\"alg\":\"HS256\"}",
                                               "{\"iss\":\"https://c.example.org\",\"sub\":\"s\","
                                               "\"jti\":\"j\",\"em\":\"ott\"}");
  g_autofree char *http = ze_test_make_token ("{\"alg\":\"ES256\"}",
                                              "{\"iss\":\"http://c.example.org\",\"sub\":\"s\","
                                              "\"jti\":\"j\",\"em\":\"ott\"}");
  const char *cases[] = { "hello", "https://ctrl.example.com/enroll", "a.b.c", hs256, http };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ze_token_page_set_text (fixture->page, cases[i], NULL);
      g_test_message ("case %u: %s", i, gtk_label_get_text (fixture->error_label));
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->error_label)));
      g_assert_false (page_complete (fixture));
      g_assert_false (ze_test_next_enabled (fixture->window));
    }
}

/* A valid token enables Next, after the pause; Enter goes on at once. */
static void
test_valid_token_enables_next (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();

  gtk_editable_set_text (GTK_EDITABLE (fixture->row), text);
  ZE_TEST_WAIT_FOR (page_complete (fixture));
  g_assert_true (ze_test_next_enabled (fixture->window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->error_label)));
  g_assert_nonnull (ze_token_page_get_token (fixture->page));

  /* An expired token is still a token: the Controller page says it expired. */
  g_clear_pointer (&text, g_free);
  text = ze_test_token_text ("ott", "ctrl.example.com:443", -3600);
  ze_token_page_set_text (fixture->page, text, NULL);
  g_assert_true (page_complete (fixture));

  g_signal_emit_by_name (fixture->row, "entry-activated");
  ze_test_wait_page (fixture->window, "controller");
}

/* Emptying the field is not an error. */
static void
test_empty_is_not_an_error (Fixture       *fixture,
                            gconstpointer  data)
{
  ze_token_page_set_text (fixture->page, "x", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->error_label)));

  gtk_editable_set_text (GTK_EDITABLE (fixture->row), "");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->error_label)));
  g_assert_false (page_complete (fixture));
}

/* The Paste button reads the clipboard. */
static void
test_paste (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();
  g_autofree char *padded = g_strdup_printf ("  %s\n", text);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (fixture->window)), padded);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "token.paste", NULL);

  ZE_TEST_WAIT_FOR (page_complete (fixture));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (fixture->row)), ==, text);
  g_assert_true (ze_test_next_enabled (fixture->window));
}

/* Every control has a name for assistive technologies: the words on screen, once.
 * (tests/ui/e2e-atspi.py reads the names a screen reader gets over AT-SPI.) */
static void
test_accessible_names (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkWidget *paste = ze_test_child (fixture->page, ZE_TYPE_TOKEN_PAGE, "paste_button");
  GtkWidget *open = ze_test_child (fixture->page, ZE_TYPE_TOKEN_PAGE, "open_button");
  GtkWidget *back = ze_test_child (fixture->window, ZE_TYPE_WINDOW, "back_button");
  GtkWidget *menu = ze_test_child (fixture->window, ZE_TYPE_WINDOW, "menu_button");
  GtkWidget *next = ze_test_child (fixture->window, ZE_TYPE_WINDOW, "next_button");

  /* The field is named by its title; a label of its own would be said first. */
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (fixture->row),
                                                   GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (fixture->row),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL));
  /* A button with a mnemonic is named by its label only, not also by "_Open…". */
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (open),
                                                   GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (open),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (next),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (paste),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Paste the token");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Back");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (menu), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Main Menu");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  ze_test_setup ();

#define ADD(path, func) \
  g_test_add ("/ui/token-page/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("garbage-shows-error", test_garbage_shows_error);
  ADD ("kinds-of-garbage", test_kinds_of_garbage);
  ADD ("valid-token-enables-next", test_valid_token_enables_next);
  ADD ("empty-is-not-an-error", test_empty_is_not_an_error);
  ADD ("paste", test_paste);
  ADD ("accessible-names", test_accessible_names);

#undef ADD

  return g_test_run ();
}
