/* ze-window.h: the wizard's window
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "ze-enrollment.h"
#include "ze-page.h"

G_BEGIN_DECLS

#define ZE_TYPE_WINDOW (ze_window_get_type ())

G_DECLARE_FINAL_TYPE (ZeWindow, ze_window, ZE, WINDOW, AdwApplicationWindow)

ZeWindow     *ze_window_new              (GtkApplication    *application);
void          ze_window_open_file        (ZeWindow          *self,
                                          GFile             *file);
void          ze_window_open_text        (ZeWindow          *self,
                                          const char        *text);
ZeEnrollment *ze_window_get_enrollment   (ZeWindow          *self);
ZePage       *ze_window_get_visible_page (ZeWindow          *self);
ZePage       *ze_window_get_page         (ZeWindow          *self,
                                          const char        *name);
void          ze_window_set_library      (ZeWindow          *self,
                                          ZeIdentityLibrary *library);
void          ze_window_show_toast       (ZeWindow          *self,
                                          const char        *message);

G_END_DECLS
