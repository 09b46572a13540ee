/* ze-test-ui.h: helpers for tests that need a display
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <string.h>

#include <gtk/gtk.h>
#include <adwaita.h>

#define ZE_TEST_UI_TIMEOUT_US (10 * G_USEC_PER_SEC)

static inline gboolean
ze_test_count_frame_cb (GtkWidget     *widget,
                        GdkFrameClock *clock,
                        gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

/* Waits until @widget has drawn @n more frames. */
static inline void
ze_test_wait_frames (GtkWidget *widget,
                     guint      n)
{
  gint64 deadline = g_get_monotonic_time () + ZE_TEST_UI_TIMEOUT_US;
  guint frames = 0;
  guint id;

  id = gtk_widget_add_tick_callback (widget, ze_test_count_frame_cb, &frames, NULL);
  while (frames < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      gtk_widget_queue_draw (widget);
      g_main_context_iteration (NULL, TRUE);
    }
  gtk_widget_remove_tick_callback (widget, id);
}

static inline void
ze_test_wait_mapped (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + ZE_TEST_UI_TIMEOUT_US;

  while (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  ze_test_wait_frames (widget, 2);
}

/* Iterates the main loop until the string property @name of @object contains @needle. */
static inline void
ze_test_wait_until_string (GObject    *object,
                           const char *name,
                           const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + ZE_TEST_UI_TIMEOUT_US;

  for (;;)
    {
      g_autofree char *value = NULL;

      g_object_get (object, name, &value, NULL);
      if (value != NULL && strstr (value, needle) != NULL)
        return;

      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s to contain “%s” (it is “%s”)", name, needle, value);

      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static inline GtkWidget *
ze_test_find_widget (GtkWidget *root,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ze_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Saves @widget as NAME.png into the meson log folder ($ZE_TEST_LOG_DIR/screenshots). */
static inline void
ze_test_save_screenshot (GtkWidget  *widget,
                         const char *name)
{
  const char *dir = g_getenv ("ZE_TEST_LOG_DIR");
  g_autofree char *folder = g_build_filename (dir != NULL ? dir : g_get_tmp_dir (), "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (folder, file, NULL);
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GskRenderer *renderer;
  graphene_rect_t bounds;

  ze_test_wait_frames (widget, 2);
  g_assert_cmpint (w, >, 0);
  g_assert_cmpint (h, >, 0);
  g_mkdir_with_parents (folder, 0755);

  /* GTK 4.8 has no public gtk_widget_snapshot: go through a paintable. */
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  bounds = GRAPHENE_RECT_INIT (0, 0, w, h);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  gsk_render_node_unref (node);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Iterates the main loop until @expr holds; fails the test after the timeout. */
#define ZE_TEST_WAIT_FOR(expr)                                                  \
  G_STMT_START {                                                                \
    gint64 ze_deadline_ = g_get_monotonic_time () + ZE_TEST_UI_TIMEOUT_US;     \
    while (!(expr))                                                             \
      {                                                                         \
        if (g_get_monotonic_time () > ze_deadline_)                             \
          g_error ("timed out waiting for: %s", #expr);                         \
        if (!g_main_context_iteration (NULL, FALSE))                            \
          g_usleep (1000);                                                      \
      }                                                                         \
  } G_STMT_END

/* Runs the main loop for about @ms milliseconds. */
/* A template child of @widget, by its id in the .ui file. */
static inline gpointer
ze_test_child (gpointer    widget,
               GType       template_type,
               const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), template_type, name);

  g_assert_nonnull (child);

  return child;
}

static inline void
ze_test_run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* Saves NAME-light.png and NAME-dark.png, forcing each colour scheme. */
static inline void
ze_test_save_screenshots (GtkWidget  *widget,
                          const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *light = g_strconcat (name, "-light", NULL);
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);

  /* Let transitions and animations (crossfades, expanders) end first. */
  ze_test_run_for (400);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  ze_test_wait_frames (widget, 3);
  ze_test_save_screenshot (widget, light);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  ze_test_wait_frames (widget, 3);
  ze_test_save_screenshot (widget, dark);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  ze_test_wait_frames (widget, 2);
}

/* The toplevel of @type other than @except, if one is shown (a dialog). */
static inline GtkWindow *
ze_test_find_toplevel (GType      type,
                       GtkWindow *except)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (window != except && G_TYPE_CHECK_INSTANCE_TYPE (window, type) &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}
