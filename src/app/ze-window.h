/* ze-window.h
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "zitienroll.h"

G_BEGIN_DECLS

#define ZE_TYPE_WINDOW (ze_window_get_type ())

G_DECLARE_FINAL_TYPE (ZeWindow, ze_window, ZE, WINDOW, AdwApplicationWindow)

ZeWindow *ze_window_new       (GtkApplication *application);
void      ze_window_open_file (ZeWindow       *self,
                               GFile          *file);

G_END_DECLS
