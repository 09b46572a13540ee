/* ze-cli-private.h: shared by the subcommands of ziti-enroll-cli
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <stdio.h>

#include <gio/gio.h>

#include "zitienroll.h"

G_BEGIN_DECLS

/* The documented exit statuses of every subcommand. */
typedef enum
{
  ZE_EXIT_OK        = 0,
  ZE_EXIT_FAILURE   = 1,
  ZE_EXIT_USAGE     = 2,
  ZE_EXIT_TOKEN     = 3,
  ZE_EXIT_TRUST     = 4,
  ZE_EXIT_REFUSED   = 5,
  ZE_EXIT_NETWORK   = 6,
  ZE_EXIT_STORAGE   = 7,
  ZE_EXIT_CANCELLED = 8,
} ZeExitStatus;

int      ze_cli_usage_error (const char  *command,
                             const char  *format,
                             ...) G_GNUC_PRINTF (2, 3);
ZeToken *ze_cli_load_token  (const char  *argument,
                             int         *exit_status);
int      ze_cli_inspect     (int          argc,
                             char       **argv);
int      ze_cli_enroll      (int          argc,
                             char       **argv);
int      ze_cli_list        (int          argc,
                             char       **argv);
int      ze_cli_export      (int          argc,
                             char       **argv);
int      ze_cli_delete      (int          argc,
                             char       **argv);
int      ze_cli_text_width              (const char    *text);
int      ze_cli_labels_width            (const char    *first,
                                         ...) G_GNUC_NULL_TERMINATED;
void     ze_cli_print_fact              (FILE          *stream,
                                         int            width,
                                         const char    *label,
                                         const char    *value);
int      ze_cli_print_certificate_facts (FILE          *stream,
                                         ZeToken       *token,
                                         ZeCertificate *leaf,
                                         GPtrArray     *cas);
char    *ze_cli_read_secret_file        (const char    *path,
                                         GError       **error);

G_END_DECLS
