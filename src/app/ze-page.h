/* ze-page.h: a page of the wizard
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "ze-enrollment.h"

G_BEGIN_DECLS

#define ZE_TYPE_PAGE (ze_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (ZePage, ze_page, ZE, PAGE, GtkWidget)

/**
 * ZePageClass:
 * @shown: the page became the visible one (grab the focus, start work)
 * @apply_async: the person pressed Next: check and keep what the page holds;
 *   the wizard moves on only if this succeeds
 * @apply_finish: finishes @apply_async
 * @cancel: the person pressed Cancel (or Escape) while #ZePage:can-cancel
 */
struct _ZePageClass
{
  GtkWidgetClass parent_class;

  void     (*shown)        (ZePage               *self);
  void     (*apply_async)  (ZePage               *self,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data);
  gboolean (*apply_finish) (ZePage               *self,
                            GAsyncResult         *result,
                            GError              **error);
  void     (*cancel)       (ZePage               *self);

  /*< private >*/
  gpointer padding[8];
};

ZeEnrollment *ze_page_get_enrollment   (ZePage               *self);
void          ze_page_set_enrollment   (ZePage               *self,
                                        ZeEnrollment         *enrollment);
const char   *ze_page_get_title        (ZePage               *self);
void          ze_page_set_title        (ZePage               *self,
                                        const char           *title);
gboolean      ze_page_get_complete     (ZePage               *self);
void          ze_page_set_complete     (ZePage               *self,
                                        gboolean              complete);
gboolean      ze_page_get_busy         (ZePage               *self);
void          ze_page_set_busy         (ZePage               *self,
                                        gboolean              busy);
const char   *ze_page_get_next_label   (ZePage               *self);
void          ze_page_set_next_label   (ZePage               *self,
                                        const char           *next_label);
gboolean      ze_page_get_can_go_back  (ZePage               *self);
void          ze_page_set_can_go_back  (ZePage               *self,
                                        gboolean              can_go_back);
gboolean      ze_page_get_can_cancel   (ZePage               *self);
void          ze_page_set_can_cancel   (ZePage               *self,
                                        gboolean              can_cancel);
void          ze_page_shown            (ZePage               *self);
void          ze_page_apply_async      (ZePage               *self,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean      ze_page_apply_finish     (ZePage               *self,
                                        GAsyncResult         *result,
                                        GError              **error);
void          ze_page_cancel           (ZePage               *self);

G_END_DECLS
