/* ze-fact-row.c: a row that shows one fact, "Controller   ctrl.example.com:443"
 *
 * The name of the fact is the row's title; the value sits on the right, can be
 * selected and copied, wraps when long, and is the row's accessible
 * description, so a screen reader reads both.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "ze-fact-row.h"

struct _ZeFactRow
{
  AdwActionRow  parent_instance;

  GtkLabel     *value_label;
};

G_DEFINE_FINAL_TYPE (ZeFactRow, ze_fact_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_VALUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ze_fact_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ZeFactRow *self = ZE_FACT_ROW (object);

  switch (prop_id)
    {
    case PROP_VALUE:
      g_value_set_string (value, ze_fact_row_get_value (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ze_fact_row_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ZeFactRow *self = ZE_FACT_ROW (object);

  switch (prop_id)
    {
    case PROP_VALUE:
      ze_fact_row_set_value (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ze_fact_row_class_init (ZeFactRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ze_fact_row_get_property;
  object_class->set_property = ze_fact_row_set_property;

  properties[PROP_VALUE] =
    g_param_spec_string ("value", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ze_fact_row_init (ZeFactRow *self)
{
  self->value_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_selectable (self->value_label, TRUE);
  gtk_label_set_wrap (self->value_label, TRUE);
  gtk_label_set_wrap_mode (self->value_label, PANGO_WRAP_WORD_CHAR);
  /* Wrap only when the row is too narrow: a row asks its labels how wide they
   * must be at its height, which would break "in 3 hours" over two lines. */
  gtk_label_set_natural_wrap_mode (self->value_label, GTK_NATURAL_WRAP_NONE);
  gtk_label_set_xalign (self->value_label, 1.0);
  gtk_label_set_justify (self->value_label, GTK_JUSTIFY_RIGHT);
  gtk_label_set_max_width_chars (self->value_label, 36);
  gtk_widget_set_valign (GTK_WIDGET (self->value_label), GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (GTK_WIDGET (self->value_label), 8);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->value_label), 8);
  gtk_widget_add_css_class (GTK_WIDGET (self->value_label), "ze-fact-value");
  /* Selectable labels take the focus; the row is the stop for the keyboard. */
  gtk_widget_set_can_focus (GTK_WIDGET (self->value_label), FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->value_label));

  gtk_widget_add_css_class (GTK_WIDGET (self), "ze-fact");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
}

GtkWidget *
ze_fact_row_new (const char *title,
                 const char *value)
{
  return g_object_new (ZE_TYPE_FACT_ROW, "title", title, "value", value, NULL);
}

const char *
ze_fact_row_get_value (ZeFactRow *self)
{
  g_return_val_if_fail (ZE_IS_FACT_ROW (self), NULL);

  return gtk_label_get_text (self->value_label);
}

void
ze_fact_row_set_value (ZeFactRow  *self,
                       const char *value)
{
  g_return_if_fail (ZE_IS_FACT_ROW (self));

  if (g_strcmp0 (gtk_label_get_text (self->value_label), value ?: "") == 0)
    return;

  gtk_label_set_text (self->value_label, value ?: "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, value ?: "",
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
}

GtkLabel *
ze_fact_row_get_value_label (ZeFactRow *self)
{
  g_return_val_if_fail (ZE_IS_FACT_ROW (self), NULL);

  return self->value_label;
}
