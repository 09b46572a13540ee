/* ze-ui-util.h: small helpers the pages share
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "zitienroll.h"

G_BEGIN_DECLS

void        ze_ui_set_field_error       (GtkWidget            *field,
                                         GtkLabel             *error_label,
                                         const char           *message);
void        ze_ui_tidy_accessible_names (GtkWidget            *root);
void        ze_ui_present_dialog        (AdwMessageDialog     *dialog);
void        ze_ui_show_file_chooser     (GtkFileChooserNative *chooser);
const char *ze_ui_error_title           (const GError         *error);
char       *ze_ui_describe_key_place    (ZeIdentity           *identity);
char       *ze_ui_format_expiry         (gint64               when,
                                         gint64               now);
void        ze_ui_add_json_filters      (GtkFileChooser       *chooser);
void        ze_ui_add_token_filters     (GtkFileChooser       *chooser);
void        ze_ui_add_pem_filters       (GtkFileChooser       *chooser);
void        ze_ui_load_css              (void);

G_END_DECLS
