/* ze-page.c: a page of the wizard
 *
 * The GNOME Initial Setup model, modernised (style.md §2, §7.1): a page says
 * whether its input is complete (Next), whether it is busy, what its Next
 * button says, and whether Back and Cancel make sense; it applies when the
 * person leaves it. The window (ZeWindow) follows these properties.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-page.h"

typedef struct
{
  ZeEnrollment *enrollment;
  char         *title;
  char         *next_label;
  guint         complete : 1;
  guint         busy : 1;
  guint         can_go_back : 1;
  guint         can_cancel : 1;
} ZePagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (ZePage, ze_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_CAN_CANCEL,
  PROP_CAN_GO_BACK,
  PROP_COMPLETE,
  PROP_ENROLLMENT,
  PROP_NEXT_LABEL,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ze_page_real_apply_async (ZePage              *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ze_page_real_apply_async);
  g_task_return_boolean (task, TRUE);
}

static gboolean
ze_page_real_apply_finish (ZePage        *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ze_page_dispose (GObject *object)
{
  ZePage *self = (ZePage *)object;
  ZePagePrivate *priv = ze_page_get_instance_private (self);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&priv->enrollment);

  G_OBJECT_CLASS (ze_page_parent_class)->dispose (object);
}

static void
ze_page_finalize (GObject *object)
{
  ZePage *self = (ZePage *)object;
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_clear_pointer (&priv->title, g_free);
  g_clear_pointer (&priv->next_label, g_free);

  G_OBJECT_CLASS (ze_page_parent_class)->finalize (object);
}

static void
ze_page_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  ZePage *self = ZE_PAGE (object);
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, priv->busy);
      break;

    case PROP_CAN_CANCEL:
      g_value_set_boolean (value, priv->can_cancel);
      break;

    case PROP_CAN_GO_BACK:
      g_value_set_boolean (value, priv->can_go_back);
      break;

    case PROP_COMPLETE:
      g_value_set_boolean (value, priv->complete);
      break;

    case PROP_ENROLLMENT:
      g_value_set_object (value, priv->enrollment);
      break;

    case PROP_NEXT_LABEL:
      g_value_set_string (value, priv->next_label);
      break;

    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ze_page_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  ZePage *self = ZE_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      ze_page_set_busy (self, g_value_get_boolean (value));
      break;

    case PROP_CAN_CANCEL:
      ze_page_set_can_cancel (self, g_value_get_boolean (value));
      break;

    case PROP_CAN_GO_BACK:
      ze_page_set_can_go_back (self, g_value_get_boolean (value));
      break;

    case PROP_COMPLETE:
      ze_page_set_complete (self, g_value_get_boolean (value));
      break;

    case PROP_ENROLLMENT:
      ze_page_set_enrollment (self, g_value_get_object (value));
      break;

    case PROP_NEXT_LABEL:
      ze_page_set_next_label (self, g_value_get_string (value));
      break;

    case PROP_TITLE:
      ze_page_set_title (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ze_page_class_init (ZePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ze_page_dispose;
  object_class->finalize = ze_page_finalize;
  object_class->get_property = ze_page_get_property;
  object_class->set_property = ze_page_set_property;

  klass->apply_async = ze_page_real_apply_async;
  klass->apply_finish = ze_page_real_apply_finish;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAN_CANCEL] =
    g_param_spec_boolean ("can-cancel", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAN_GO_BACK] =
    g_param_spec_boolean ("can-go-back", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ENROLLMENT] =
    g_param_spec_object ("enrollment", NULL, NULL, ZE_TYPE_ENROLLMENT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ZePage:next-label:
   *
   * The label of the Next button, with a mnemonic; %NULL hides it.
   */
  properties[PROP_NEXT_LABEL] =
    g_param_spec_string ("next-label", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ze_page_init (ZePage *self)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  priv->can_go_back = TRUE;
  priv->next_label = g_strdup (_("_Next"));
}

/**
 * ze_page_get_enrollment:
 *
 * Returns: (transfer none) (nullable): the enrollment the wizard works on
 */
ZeEnrollment *
ze_page_get_enrollment (ZePage *self)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_val_if_fail (ZE_IS_PAGE (self), NULL);

  return priv->enrollment;
}

void
ze_page_set_enrollment (ZePage       *self,
                        ZeEnrollment *enrollment)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_if_fail (ZE_IS_PAGE (self));
  g_return_if_fail (!enrollment || ZE_IS_ENROLLMENT (enrollment));

  if (g_set_object (&priv->enrollment, enrollment))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENROLLMENT]);
}

const char *
ze_page_get_title (ZePage *self)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_val_if_fail (ZE_IS_PAGE (self), NULL);

  return priv->title;
}

void
ze_page_set_title (ZePage     *self,
                   const char *title)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_if_fail (ZE_IS_PAGE (self));

  if (g_strcmp0 (priv->title, title) == 0)
    return;

  g_free (priv->title);
  priv->title = g_strdup (title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
ze_page_get_complete (ZePage *self)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_val_if_fail (ZE_IS_PAGE (self), FALSE);

  return priv->complete;
}

void
ze_page_set_complete (ZePage   *self,
                      gboolean  complete)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_if_fail (ZE_IS_PAGE (self));

  complete = !!complete;
  if (priv->complete == complete)
    return;

  priv->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

gboolean
ze_page_get_busy (ZePage *self)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_val_if_fail (ZE_IS_PAGE (self), FALSE);

  return priv->busy;
}

/**
 * ze_page_set_busy:
 *
 * Marks the page as working (connecting, enrolling): Next and Back are off,
 * and assistive technologies are told through the busy state.
 */
void
ze_page_set_busy (ZePage   *self,
                  gboolean  busy)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_if_fail (ZE_IS_PAGE (self));

  busy = !!busy;
  if (priv->busy == busy)
    return;

  priv->busy = busy;
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_BUSY, busy, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

const char *
ze_page_get_next_label (ZePage *self)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_val_if_fail (ZE_IS_PAGE (self), NULL);

  return priv->next_label;
}

void
ze_page_set_next_label (ZePage     *self,
                        const char *next_label)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_if_fail (ZE_IS_PAGE (self));

  if (g_strcmp0 (priv->next_label, next_label) == 0)
    return;

  g_free (priv->next_label);
  priv->next_label = g_strdup (next_label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_LABEL]);
}

gboolean
ze_page_get_can_go_back (ZePage *self)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_val_if_fail (ZE_IS_PAGE (self), FALSE);

  return priv->can_go_back;
}

void
ze_page_set_can_go_back (ZePage   *self,
                         gboolean  can_go_back)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_if_fail (ZE_IS_PAGE (self));

  can_go_back = !!can_go_back;
  if (priv->can_go_back == can_go_back)
    return;

  priv->can_go_back = can_go_back;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_GO_BACK]);
}

gboolean
ze_page_get_can_cancel (ZePage *self)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_val_if_fail (ZE_IS_PAGE (self), FALSE);

  return priv->can_cancel;
}

void
ze_page_set_can_cancel (ZePage   *self,
                        gboolean  can_cancel)
{
  ZePagePrivate *priv = ze_page_get_instance_private (self);

  g_return_if_fail (ZE_IS_PAGE (self));

  can_cancel = !!can_cancel;
  if (priv->can_cancel == can_cancel)
    return;

  priv->can_cancel = can_cancel;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CANCEL]);
}

void
ze_page_shown (ZePage *self)
{
  g_return_if_fail (ZE_IS_PAGE (self));

  if (ZE_PAGE_GET_CLASS (self)->shown != NULL)
    ZE_PAGE_GET_CLASS (self)->shown (self);
}

void
ze_page_apply_async (ZePage              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (ZE_IS_PAGE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ZE_PAGE_GET_CLASS (self)->apply_async (self, cancellable, callback, user_data);
}

gboolean
ze_page_apply_finish (ZePage        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (ZE_IS_PAGE (self), FALSE);

  return ZE_PAGE_GET_CLASS (self)->apply_finish (self, result, error);
}

void
ze_page_cancel (ZePage *self)
{
  g_return_if_fail (ZE_IS_PAGE (self));

  if (ZE_PAGE_GET_CLASS (self)->cancel != NULL)
    ZE_PAGE_GET_CLASS (self)->cancel (self);
}
