/* ze-enrolling-page.c: the enrollment's steps, live
 *
 * One row per step of the core's enroller, each with its state (waiting,
 * running, done, failed), following "step-changed". Cancel works until the
 * request is sent; from then on the page says it waits for the controller's
 * answer, so that the new key is not lost (design.md §4).
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-enrolling-page.h"

/* The steps shown, in order: every one the core reports, but NONE and DONE. */
#define FIRST_STEP ZE_ENROLL_STEP_CONNECT
#define LAST_STEP  ZE_ENROLL_STEP_SAVE
#define N_ROWS     (LAST_STEP - FIRST_STEP + 1)

typedef struct
{
  AdwActionRow *row;
  GtkStack     *state;
  GtkSpinner   *spinner;
} StepRow;

struct _ZeEnrollingPage
{
  ZePage      parent_instance;

  /* Template widgets */
  GtkSpinner *spinner;
  GtkLabel   *title_label;
  GtkLabel   *status_label;
  GtkListBox *steps_list;

  StepRow     rows[N_ROWS];
};

G_DEFINE_FINAL_TYPE (ZeEnrollingPage, ze_enrolling_page, ZE_TYPE_PAGE)

static GtkWidget *
new_state_image (const char *icon_name,
                 const char *css_class)
{
  /* The row's description says the state in words. */
  GtkWidget *image = g_object_new (GTK_TYPE_IMAGE,
                                   "icon-name", icon_name,
                                   "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                   NULL);

  if (css_class != NULL)
    gtk_widget_add_css_class (image, css_class);

  return image;
}

static void
build_rows (ZeEnrollingPage *self)
{
  for (guint i = 0; i < N_ROWS; i++)
    {
      StepRow *step = &self->rows[i];
      GtkWidget *stack = gtk_stack_new ();
      GtkWidget *spinner = gtk_spinner_new ();

      gtk_stack_add_named (GTK_STACK (stack),
                           new_state_image ("ze-step-pending-symbolic", "dim-label"), "pending");
      gtk_stack_add_named (GTK_STACK (stack), spinner, "running");
      gtk_stack_add_named (GTK_STACK (stack),
                           new_state_image ("object-select-symbolic", "success"), "done");
      gtk_stack_add_named (GTK_STACK (stack),
                           new_state_image ("dialog-error-symbolic", "error"), "failed");
      gtk_stack_set_transition_type (GTK_STACK (stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
      gtk_stack_set_transition_duration (GTK_STACK (stack), 100);
      gtk_widget_set_valign (stack, GTK_ALIGN_CENTER);

      step->row = ADW_ACTION_ROW (adw_action_row_new ());
      step->state = GTK_STACK (stack);
      step->spinner = GTK_SPINNER (spinner);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (step->row),
                                     ze_enroll_step_describe (FIRST_STEP + i));
      adw_action_row_add_prefix (step->row, stack);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (step->row), FALSE);
      gtk_widget_set_can_focus (GTK_WIDGET (step->row), FALSE);
      gtk_list_box_append (self->steps_list, GTK_WIDGET (step->row));
    }
}

static void
show_step (ZeEnrollingPage *self,
           int              step,
           int              state)
{
  StepRow *row;
  const char *name;
  const char *words;

  if (step < FIRST_STEP || step > LAST_STEP)
    return;

  row = &self->rows[step - FIRST_STEP];

  switch (state)
    {
    case ZE_STEP_STATE_RUNNING:
      name = "running";
      words = _("In progress");
      break;

    case ZE_STEP_STATE_DONE:
      name = "done";
      words = _("Done");
      break;

    case ZE_STEP_STATE_FAILED:
      name = "failed";
      words = _("Failed");
      break;

    default:
      name = "pending";
      words = _("Waiting");
      break;
    }

  gtk_spinner_set_spinning (row->spinner, state == ZE_STEP_STATE_RUNNING);
  gtk_stack_set_visible_child_name (row->state, name);
  gtk_widget_set_opacity (GTK_WIDGET (row->row), state == ZE_STEP_STATE_PENDING ? 0.55 : 1.0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, words,
                                  -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row->row),
                               GTK_ACCESSIBLE_STATE_BUSY, state == ZE_STEP_STATE_RUNNING,
                               -1);

  /* The running step is the live status, for people and screen readers. */
  if (state == ZE_STEP_STATE_RUNNING &&
      !ze_enrollment_get_sent (ze_page_get_enrollment (ZE_PAGE (self))))
    {
      g_autofree char *status = g_strdup_printf ("%s…", ze_enroll_step_describe (step));

      gtk_label_set_text (self->status_label, status);
    }
}

static void
update_sent (ZeEnrollingPage *self)
{
  ZeEnrollment *enrollment = ze_page_get_enrollment (ZE_PAGE (self));
  gboolean sent = ze_enrollment_get_sent (enrollment);
  ZeEnrollmentState state = ze_enrollment_get_state (enrollment);
  gboolean running = state == ZE_ENROLLMENT_STATE_ENROLLING;

  ze_page_set_busy (ZE_PAGE (self), running);
  ze_page_set_can_cancel (ZE_PAGE (self), running && !sent);
  gtk_spinner_set_spinning (self->spinner, running);

  if (sent && running)
    gtk_label_set_text (self->status_label,
                        _("The request is on its way. Waiting for the controller’s answer, so "
                          "that your new key is not lost — this cannot be cancelled now."));
}

static void
show_all_steps (ZeEnrollingPage *self)
{
  ZeEnrollment *enrollment = ze_page_get_enrollment (ZE_PAGE (self));

  for (int step = FIRST_STEP; step <= LAST_STEP; step++)
    show_step (self, step, ze_enrollment_get_step_state (enrollment, step));

  update_sent (self);
}

static void
on_step_changed_cb (ZeEnrollingPage *self,
                    int              step,
                    int              state,
                    ZeEnrollment    *enrollment)
{
  show_step (self, step, state);
}

static void
on_enrollment_notify_cb (ZeEnrollingPage *self,
                         GParamSpec      *pspec,
                         ZeEnrollment    *enrollment)
{
  update_sent (self);
}

static void
on_enrollment_changed_cb (ZeEnrollingPage *self,
                          GParamSpec      *pspec,
                          gpointer         user_data)
{
  ZeEnrollment *enrollment = ze_page_get_enrollment (ZE_PAGE (self));

  if (enrollment == NULL)
    return;

  g_signal_connect_object (enrollment, "step-changed",
                           G_CALLBACK (on_step_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (enrollment, "notify::sent",
                           G_CALLBACK (on_enrollment_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (enrollment, "notify::state",
                           G_CALLBACK (on_enrollment_notify_cb), self, G_CONNECT_SWAPPED);
  show_all_steps (self);
}

static void
ze_enrolling_page_shown (ZePage *page)
{
  ZeEnrollingPage *self = ZE_ENROLLING_PAGE (page);

  gtk_label_set_text (self->status_label, _("This takes a few seconds."));
  show_all_steps (self);
}

static void
ze_enrolling_page_cancel (ZePage *page)
{
  ZeEnrollingPage *self = ZE_ENROLLING_PAGE (page);
  ZeEnrollment *enrollment = ze_page_get_enrollment (page);

  if (!ze_enrollment_cancel (enrollment))
    return;

  ze_page_set_can_cancel (page, FALSE);
  gtk_label_set_text (self->status_label, _("Cancelling…"));
}

static void
ze_enrolling_page_dispose (GObject *object)
{
  ZeEnrollingPage *self = (ZeEnrollingPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), ZE_TYPE_ENROLLING_PAGE);

  G_OBJECT_CLASS (ze_enrolling_page_parent_class)->dispose (object);
}

static void
ze_enrolling_page_class_init (ZeEnrollingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ZePageClass *page_class = ZE_PAGE_CLASS (klass);

  object_class->dispose = ze_enrolling_page_dispose;

  page_class->shown = ze_enrolling_page_shown;
  page_class->cancel = ze_enrolling_page_cancel;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/ze-enrolling-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeEnrollingPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ZeEnrollingPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, ZeEnrollingPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, ZeEnrollingPage, steps_list);
}

static void
ze_enrolling_page_init (ZeEnrollingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  ze_page_set_next_label (ZE_PAGE (self), NULL);
  build_rows (self);

  g_signal_connect (self, "notify::enrollment", G_CALLBACK (on_enrollment_changed_cb), NULL);
}
