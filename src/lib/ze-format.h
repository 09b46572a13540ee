/* ze-format.h: words and dates for people
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ze_format_relative_time (gint64 when,
                               gint64 now);
char *ze_format_utc_date      (gint64 when);

G_END_DECLS
