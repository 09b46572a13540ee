/* ze-bench.c: one measurement of the wizard per run, for tests/bench/bench.py
 *
 *   ze-bench first-frame bare           a bare libadwaita window: the baseline
 *   ze-bench first-frame wizard TOKEN   the wizard opened with TOKEN
 *     prints "first_frame_us=N max_rss_kb=N": from main() to the end of the
 *     window's first paint, and the peak resident memory
 *
 *   ze-bench stall TOKEN DIR            the wizard enrolls TOKEN with an RSA-4096
 *                                       key into a file under DIR
 *     prints "max_stall_us=N max_work_stall_us=N max_frame_us=N": while the
 *     enrollment ran, the longest the main loop went without serving a 1 ms
 *     timeout; the same, leaving out the gaps in which a frame was drawn (the
 *     app's own work); and the longest frame (update, layout and paint)
 *
 * Both windows are built in the same binary, so that they load the same
 * libraries; the figures are compared as ratios, in the same run.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <sys/resource.h>

#include "ze-test-app.h"

static gint64 start_us;
static gint64 first_frame_us;

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       user_data)
{
  if (first_frame_us == 0)
    first_frame_us = g_get_monotonic_time () - start_us;
}

static void
on_realize_cb (GtkWidget *window,
               gpointer   user_data)
{
  GdkFrameClock *clock = gdk_surface_get_frame_clock (gtk_native_get_surface (GTK_NATIVE (window)));

  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), NULL);
}

static GtkWidget *
bare_window (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_title (ADW_STATUS_PAGE (page), "Baseline");
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), page);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);

  return window;
}

static int
first_frame (const char *what,
             const char *token_path)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  GtkWidget *window;
  struct rusage usage;

  if (g_strcmp0 (what, "bare") == 0)
    window = bare_window (app);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (token_path);

      window = GTK_WIDGET (ze_window_new (app));
      ze_window_open_file (ZE_WINDOW (window), file);
    }

  gtk_window_set_default_size (GTK_WINDOW (window), 640, 720);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));

  while (first_frame_us == 0)
    g_main_context_iteration (NULL, TRUE);

  getrusage (RUSAGE_SELF, &usage);
  g_print ("first_frame_us=%" G_GINT64_FORMAT " max_rss_kb=%ld\n", first_frame_us, usage.ru_maxrss);
  gtk_window_destroy (GTK_WINDOW (window));

  return 0;
}

typedef struct
{
  ZeEnrollment *enrollment;
  gint64        last_tick;
  guint         frames_at_last_tick;
  gint64        max_gap;
  gint64        max_work_gap;        /* gaps in which no frame was drawn */
  guint         frames;
  gint64        frame_start;
  gint64        max_frame;
} Stall;

static gboolean
enrolling (Stall *stall)
{
  return ze_enrollment_get_state (stall->enrollment) == ZE_ENROLLMENT_STATE_ENROLLING;
}

static gboolean
tick_cb (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = g_get_monotonic_time ();

  if (enrolling (stall))
    {
      if (stall->last_tick != 0)
        {
          stall->max_gap = MAX (stall->max_gap, now - stall->last_tick);
          if (stall->frames == stall->frames_at_last_tick)
            stall->max_work_gap = MAX (stall->max_work_gap, now - stall->last_tick);
        }
      stall->last_tick = now;
      stall->frames_at_last_tick = stall->frames;
    }
  else
    stall->last_tick = 0;

  return G_SOURCE_CONTINUE;
}

static void
on_before_paint_cb (GdkFrameClock *clock,
                    Stall         *stall)
{
  stall->frame_start = g_get_monotonic_time ();
}

static void
on_frame_painted_cb (GdkFrameClock *clock,
                     Stall         *stall)
{
  stall->frames++;
  if (enrolling (stall))
    stall->max_frame = MAX (stall->max_frame, g_get_monotonic_time () - stall->frame_start);
}

static void
wait_for_state (ZeEnrollment      *enrollment,
                ZeEnrollmentState  state)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (ze_enrollment_get_state (enrollment) != state)
    {
      if (ze_enrollment_get_state (enrollment) == ZE_ENROLLMENT_STATE_FAILED)
        g_error ("the enrollment failed: %s", ze_enrollment_get_error (enrollment)->message);
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for state %d", state);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
press_next (ZeWindow *window)
{
  while (!ze_test_next_enabled (window))
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
}

static int
stall (const char *token_path,
       const char *directory)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  g_autoptr(GFile) file = g_file_new_for_path (token_path);
  g_autofree char *library_dir = g_build_filename (directory, "library", NULL);
  g_autofree char *out = g_build_filename (directory, "bench.json", NULL);
  g_autoptr(ZeIdentityLibrary) library = ze_identity_library_new (library_dir);
  ZeWindow *window = ze_test_window_new (app);
  GdkFrameClock *clock = gdk_surface_get_frame_clock (gtk_native_get_surface (GTK_NATIVE (window)));
  Stall state = { ze_window_get_enrollment (window) };
  ZePage *options;
  guint source;

  ze_window_set_library (window, library);
  ze_window_open_file (window, file);
  wait_for_state (state.enrollment, ZE_ENROLLMENT_STATE_TRUST_REQUIRED);
  gtk_check_button_set_active (ze_test_child (ze_window_get_page (window, "controller"),
                                              ZE_TYPE_CONTROLLER_PAGE, "trust_check"), TRUE);
  press_next (window);
  ze_test_wait_page (window, "options");

  options = ze_window_get_page (window, "options");
  adw_combo_row_set_selected (ze_test_child (options, ZE_TYPE_OPTIONS_PAGE, "store_row"),
                              ZE_KEY_PLACE_FILE);
  ze_options_page_set_file (ZE_OPTIONS_PAGE (options), out);
  adw_combo_row_set_selected (ze_test_child (options, ZE_TYPE_OPTIONS_PAGE, "key_type_row"), 4);

  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint_cb), &state);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame_painted_cb), &state);
  source = g_timeout_add (1, tick_cb, &state);
  press_next (window);
  wait_for_state (state.enrollment, ZE_ENROLLMENT_STATE_DONE);
  g_source_remove (source);

  g_signal_handlers_disconnect_by_data (clock, &state);
  g_print ("max_stall_us=%" G_GINT64_FORMAT " max_work_stall_us=%" G_GINT64_FORMAT
           " max_frame_us=%" G_GINT64_FORMAT "\n",
           state.max_gap, state.max_work_gap, state.max_frame);
  ze_test_destroy_window (window);

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  start_us = g_get_monotonic_time ();

  gtk_init ();
  adw_init ();
  ze_test_use_gnome_font ();

  if (argc >= 3 && g_strcmp0 (argv[1], "first-frame") == 0 &&
      (g_strcmp0 (argv[2], "bare") == 0 || argc == 4))
    return first_frame (argv[2], argv[3]);

  if (argc == 4 && g_strcmp0 (argv[1], "stall") == 0)
    return stall (argv[2], argv[3]);

  g_printerr ("usage: ze-bench first-frame bare | first-frame wizard TOKEN | stall TOKEN DIR\n");
  return 2;
}
