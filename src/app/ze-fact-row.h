/* ze-fact-row.h: a row that shows one fact, "Controller   ctrl.example.com:443"
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ZE_TYPE_FACT_ROW (ze_fact_row_get_type ())

G_DECLARE_FINAL_TYPE (ZeFactRow, ze_fact_row, ZE, FACT_ROW, AdwActionRow)

GtkWidget  *ze_fact_row_new             (const char *title,
                                         const char *value);
const char *ze_fact_row_get_value       (ZeFactRow  *self);
void        ze_fact_row_set_value       (ZeFactRow  *self,
                                         const char *value);
GtkLabel   *ze_fact_row_get_value_label (ZeFactRow  *self);

G_END_DECLS
