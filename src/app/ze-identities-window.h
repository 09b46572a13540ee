/* ze-identities-window.h: the identities this app has enrolled
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "zitienroll.h"

G_BEGIN_DECLS

#define ZE_TYPE_IDENTITIES_WINDOW (ze_identities_window_get_type ())

G_DECLARE_FINAL_TYPE (ZeIdentitiesWindow, ze_identities_window, ZE, IDENTITIES_WINDOW, AdwWindow)

ZeIdentitiesWindow *ze_identities_window_new     (GtkWindow          *parent,
                                                  ZeIdentityLibrary  *library);
void                ze_identities_window_reload  (ZeIdentitiesWindow *self);
guint               ze_identities_window_get_n_identities (ZeIdentitiesWindow *self);
gboolean            ze_identities_window_show_identity    (ZeIdentitiesWindow *self,
                                                           const char         *name);

G_END_DECLS
